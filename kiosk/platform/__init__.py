"""What the kiosk needs from the machine it runs on: Windows services, the console, owner-only
files, log files. No Qt, no bank."""
