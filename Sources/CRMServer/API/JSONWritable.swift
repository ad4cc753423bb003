import CRMCore

/// A shape that writes itself with `JSONWriter`; `Response.json` prefers it.
protocol JSONWritable {
    func write(to json: inout JSONWriter)
}
