// Every test file here can use the shared helpers (PythonOracle, …) without importing them.
@_exported import TestSupport
@_exported import RollupTestSupport
