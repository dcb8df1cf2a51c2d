from nexus.cli import app

app()
