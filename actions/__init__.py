"""Rasa custom actions, executed by rasa-sdk's executor inside the app process (api/actions_webhook.py).

Actions are thin adapters: read the tracker, call one service, emit messages and events.
"""
