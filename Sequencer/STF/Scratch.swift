import Core

/// The writes of one transaction, kept apart from the block's state until the transaction
/// has passed every check. A failing transaction simply drops its scratch, which is what
/// makes "a failure changes nothing but the nonce" structural rather than a matter of care.
/// Reads go through the scratch first, so paying the same account twice (an owner who is also
/// the verifier) accumulates instead of overwriting.
struct Scratch {
    private(set) var accounts: [Address: Account] = [:]
    private(set) var jobs: [JobID: Job] = [:]
    private(set) var burned = UInt256.zero
    private(set) var credited = UInt256.zero
    private(set) var deposited = UInt256.zero

    func account(_ a: Address, _ s: WorldState) throws -> Account {
        if let acc = accounts[a] { return acc }
        return try s.account(a)
    }

    func job(_ id: JobID, _ s: WorldState) throws -> Job? {
        if let j = jobs[id] { return j }
        return try s.job(id)
    }

    mutating func put(_ job: Job) { jobs[job.id] = job }

    mutating func pay(_ a: Address, _ amount: UInt256, _ s: WorldState) throws {
        var acc = try account(a, s)
        acc.balance = try acc.balance.plus(amount)
        accounts[a] = acc
    }

    /// Takes `amount` from a balance, failing the transaction when it is not there.
    mutating func charge(_ a: Address, _ amount: UInt256, _ s: WorldState) throws {
        var acc = try account(a, s)
        guard acc.balance >= amount else { throw FailureCode.insufficientBalance }
        acc.balance = acc.balance - amount
        accounts[a] = acc
    }

    mutating func burn(_ amount: UInt256) throws { burned = try burned.plus(amount) }

    mutating func withdraw(_ a: Address, _ amount: UInt256, _ s: WorldState) throws {
        try charge(a, amount, s)
        var acc = accounts[a]!
        acc.credit = try acc.credit.plus(amount)
        accounts[a] = acc
        credited = try credited.plus(amount)
    }

    mutating func deposit(_ a: Address, _ amount: UInt256, _ s: WorldState) throws {
        try pay(a, amount, s)
        deposited = try deposited.plus(amount)
    }

    /// Moves everything into the block's state.
    func commit(into s: inout WorldState) throws {
        for (a, acc) in accounts { try s.setAccount(a, acc) }
        for (_, j) in jobs { try s.setJob(j) }
        s.totals.totalBurned = try s.totals.totalBurned.plus(burned)
        s.totals.totalCredit = try s.totals.totalCredit.plus(credited)
        s.totals.totalDeposited = try s.totals.totalDeposited.plus(deposited)
    }
}

/// Overflow-checked arithmetic whose failure is the transaction failure code: inside the
/// state machine an overflow fails the transaction, it never wraps or traps.
extension UInt256 {
    func plus(_ b: UInt256) throws(FailureCode) -> UInt256 {
        let (r, o) = addingReportingOverflow(b)
        if o { throw .arithmeticOverflow }
        return r
    }

    func minus(_ b: UInt256) throws(FailureCode) -> UInt256 {
        let (r, o) = subtractingReportingOverflow(b)
        if o { throw .arithmeticOverflow }
        return r
    }

    func times(_ b: UInt256) throws(FailureCode) -> UInt256 {
        let (r, o) = multipliedReportingOverflow(by: b)
        if o { throw .arithmeticOverflow }
        return r
    }
}
