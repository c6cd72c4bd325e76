// Client: what a requester, a node or a role holder runs against the sequencer's L2 API —
// building and signing the job transactions (docs/PROTOCOL.md §2), fetching the nonce, sending,
// waiting for receipts, reading jobs, and saying in words why a transaction was refused or
// failed. No flag parsing and no printing: the `emeth job` commands (CLI/Job) and any other
// front end call it. It talks to the API with the bridge's JSON-RPC client
// (`Bridge/L2/L2Client`), so there is one HTTP client for L1 and L2.
