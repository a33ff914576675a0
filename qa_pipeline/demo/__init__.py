"""The bundled demo: a few rendered calls (`qa demo`) and a living demo centre (`qa demo --size large`)."""
