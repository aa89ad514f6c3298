"""The Noark-4 WS archive suite (profile ``noark4ws-archive``): the suite drives the target.

The test modules here are collected from the installed package by the tpn pytest plugin; the
helpers (client, checks, budget, data) are what the tests share.
"""
