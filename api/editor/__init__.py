"""Content editors: drafts, review, publishing without retraining, versions, knowledge gaps.

Plain service functions over the guide store (`knowledge.repository`) and the editorial
tables (`db.editorial`); the HTTP edge is `api.routers.editor`.
"""
