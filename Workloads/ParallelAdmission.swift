import Core
import Foundation
import Sequencer

extension L2Admission {
    /// Parses wire-form JSON and authenticates, all on all cores: parsing is a third of the
    /// per-transaction cost, so the ingest benchmark measures it in the parallel part with
    /// recovery. (The API parses one request at a time; its requests run concurrently.)
    public func admit(wire: [Bytes]) -> [Result<L2Transaction, L2TxError>] {
        parallelMap(wire) { text throws(L2TxError) in
            let json: JSONValue
            do { json = try JSONValue.parse(Data(text)) } catch let e as JSONParseError { throw .invalidField("transaction", e.description) } catch {
                throw .invalidField("transaction", "\(error)")
            }
            return try authenticate(try L2Envelope.parse(json))
        }
    }
}
