"""What the rules share and never judge on their own: wire values, links between resources, config."""
