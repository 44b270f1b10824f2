"""One sale on the screen: the controller (journal first, bank calls on the worker), the payment
tracker and the view that turns sale events into pages."""
