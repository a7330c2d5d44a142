"""Security primitives shared by the web layer and the activities."""
