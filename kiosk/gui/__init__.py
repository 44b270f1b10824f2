"""The Qt layer: screens and the controller that adapts the pure core to the event loop."""
