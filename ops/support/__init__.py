"""Support and operations: staff accounts, finding and acting on journeys, funnels, replay."""
