"""The local stack launcher and the typed settings every process reads."""
