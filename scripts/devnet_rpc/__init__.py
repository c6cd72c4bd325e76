"""The EMETH devnet's JSON-RPC node (see scripts/devnet_server.py).

Modules: `node` (py-evm chain, block production, queries), `txpool` (geth's pool rules),
`methods` (JSON-RPC envelope and method table), `format` (geth-shaped result objects),
`codec` (hex quantities/data, argument parsing, errors), `accounts` (the documented dev keys),
`secp256k1` (fast ECDSA through the system libsecp256k1).
"""
