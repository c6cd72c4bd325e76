import Testing
@testable import Core

@Suite struct JSONValueTests {
    @Test func keepsNumbersVerbatimAndBooleansDistinct() throws {
        let v = try JSONValue.parse(#"{"big":115792089237316195423570985008687907853269984665640564039457584007913129639935,"t":true,"one":1,"f":1.5e3,"n":null,"s":"a\"\u00e9\ud83d\ude00","a":[]}"#)
        #expect(v["big"] == .number("115792089237316195423570985008687907853269984665640564039457584007913129639935"))
        #expect(v["t"] == .bool(true))
        #expect(v["one"] == .number("1"))
        #expect(v["f"] == .number("1.5e3"))
        #expect(v["n"] == .null)
        #expect(v["s"] == .string("a\"é😀"))
        #expect(v["a"] == .array([]))
        #expect(try JSONValue.parse(v.serialized) == v)
    }

    /// The exact text: sorted keys, no spaces, numbers verbatim, only quotes, backslashes and
    /// control characters escaped (lowercase \u00xx), any other text as its UTF-8 bytes.
    @Test func serializesCompactSortedAndEscaped() throws {
        let v = JSONValue.object(["b": .array([.int(1), .null, .bool(true), .bool(false), .number("-2.5e10")]),
                                  "a": .string("q\"b\\n\nr\rt\t\u{01}\u{1f}é😀/"), "": .object([:]), "c": .array([])])
        let text = #"{"":{},"a":"q\"b\\n\nr\rt\t\u0001\u001fé😀/","b":[1,null,true,false,-2.5e10],"c":[]}"#
        #expect(v.serialized == text)
        #expect(v.serializedBytes == Array(text.utf8))
        #expect(v.description == text)
        #expect(try JSONValue.parse(text) == v)
    }

    @Test func errorsSayWhereAndWhat() {
        #expect(throws: JSONParseError(message: "unexpected trailing characters", offset: 3)) { try JSONValue.parse("{} x") }
        #expect(throws: JSONParseError(message: "expected ',' or '}'", offset: 7)) { try JSONValue.parse(#"{"a":1 "b":2}"#) }
        #expect(throws: JSONParseError(message: "unterminated string", offset: 4)) { try JSONValue.parse(#""abc"#) }
        #expect(throws: JSONParseError(message: "truncated number", offset: 1)) { try JSONValue.parse("-") }
        #expect(throws: JSONParseError(message: "invalid number", offset: 1)) { try JSONValue.parse("-x") }
        #expect(throws: JSONParseError(message: "unpaired surrogate", offset: 7)) { try JSONValue.parse(#""\ud83d""#) }
        #expect(throws: JSONParseError(message: "nesting deeper than 256", offset: 256)) {
            try JSONValue.parse(String(repeating: "[", count: 300))
        }
        #expect(throws: JSONParseError(message: "unexpected end of input", offset: 0)) { try JSONValue.parse("") }
    }
}
