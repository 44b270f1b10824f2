"""The local HTTP API a vending-machine controller uses: charge an amount, learn it was paid.

contract: the typed records and the gateway the API reads the kiosk through;
validate: what a controller sends, checked; app: the WSGI app and its server.
Import from those modules: this package imports nothing, so reading the contract
does not load the server.
"""
