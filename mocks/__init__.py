"""Mock servers: each one also the project's reference implementation of its standard.

`tpn.mocks.soap` is the machinery every SOAP mock shares (intake guard, faults, codec,
endpoint, serving); `tpn.mocks.noark4ws` is the Noark-4 WS reference archive.
"""

# Spyne 2.14 needs its six replaced before it is first imported (see soap/compat.py). Doing it
# here, in the package every mock module lives in, makes the order independent of how any one
# module's imports happen to be sorted.
from tpn.mocks.soap import compat as _compat  # noqa: F401
