"""The FastAPI app: citizen chat, search, health, web pages, and the Rasa action webhook."""
