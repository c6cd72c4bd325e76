// The bridge (DESIGN §10): L1 JSON-RPC client, transaction manager, inbox watcher, batch poster.
import Core
