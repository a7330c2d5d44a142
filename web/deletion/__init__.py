"""Account deletion from the web side: starting, cancelling and acknowledging deprovisioning."""
