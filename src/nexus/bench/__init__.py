"""What `nexus bench` measures, and the synthetic stores it measures on."""
