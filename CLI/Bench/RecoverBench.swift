enum RecoverBench { static func run(rounds: Int) -> BenchRow { BenchRow(name: "recover", ours: 0, raw: 1, unit: "op/s", rawName: "pending") } }
