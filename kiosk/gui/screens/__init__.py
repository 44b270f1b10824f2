"""The kiosk's screens: views only; the controller decides what they show and when."""
