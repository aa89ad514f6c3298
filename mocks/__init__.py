"""Mock servers: each one also the project's reference implementation of its standard.

`tpn.mocks.soap` is the machinery every SOAP mock shares (intake guard, faults, codec,
endpoint, serving); `tpn.mocks.noark4ws` is the Noark-4 WS reference archive.
"""
