// The L2 JSON-RPC server (DESIGN §13): what nodes, requesters, verifiers and wallets talk to.
import Core
import Sequencer
