"""The Kaspi QR API: a strict client for all three integration schemes. No Qt here."""
