import Foundation
import Synchronization

/// Counters, gauges and latency histograms in Prometheus' text format. Small on
/// purpose: names and labels are fixed by the host, values are updated from
/// any thread.
public final class MetricsRegistry: Sendable {
    public struct Series: Hashable, Sendable {
        public var name: String
        public var labels: [String: String]
        public init(_ name: String, _ labels: [String: String] = [:]) { self.name = name; self.labels = labels }

        var rendered: String {
            guard !labels.isEmpty else { return name }
            let pairs = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\(MetricsRegistry.escape($0.value))\"" }
            return "\(name){\(pairs.joined(separator: ","))}"
        }
    }

    private struct Histogram {
        var buckets: [Int]
        var sum = 0.0
        var count = 0
    }

    private struct State {
        var counters: [Series: Double] = [:]
        var gauges: [Series: Double] = [:]
        var histograms: [Series: Histogram] = [:]
        var help: [String: (type: String, text: String)] = [:]
    }

    /// Upper bounds of latency buckets, in seconds.
    static let bounds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    private let state = Mutex(State())

    public init() {}

    public func describe(_ name: String, type: String, help: String) {
        state.withLock { $0.help[name] = (type, help) }
    }

    public func increment(_ series: Series, by amount: Double = 1) {
        state.withLock { $0.counters[series, default: 0] += amount }
    }

    public func set(_ series: Series, to value: Double) {
        state.withLock { $0.gauges[series] = value }
    }

    public func observe(_ series: Series, seconds: Double) {
        state.withLock { state in
            var histogram = state.histograms[series] ?? Histogram(buckets: Array(repeating: 0, count: MetricsRegistry.bounds.count))
            for (index, bound) in MetricsRegistry.bounds.enumerated() where seconds <= bound { histogram.buckets[index] += 1 }
            histogram.sum += seconds
            histogram.count += 1
            state.histograms[series] = histogram
        }
    }

    /// The exposition text, one family after another.
    public func render() -> String {
        let snapshot = state.withLock { $0 }
        var families: [String: [String]] = [:]
        for (series, value) in snapshot.counters { families[series.name, default: []].append("\(series.rendered) \(MetricsRegistry.format(value))") }
        for (series, value) in snapshot.gauges { families[series.name, default: []].append("\(series.rendered) \(MetricsRegistry.format(value))") }
        for (series, histogram) in snapshot.histograms {
            var lines: [String] = []
            for (index, bound) in MetricsRegistry.bounds.enumerated() {
                var labels = series.labels
                labels["le"] = MetricsRegistry.format(bound)
                lines.append("\(Series(series.name + "_bucket", labels).rendered) \(histogram.buckets[index])")
            }
            var infinity = series.labels
            infinity["le"] = "+Inf"
            lines.append("\(Series(series.name + "_bucket", infinity).rendered) \(histogram.count)")
            lines.append("\(Series(series.name + "_sum", series.labels).rendered) \(MetricsRegistry.format(histogram.sum))")
            lines.append("\(Series(series.name + "_count", series.labels).rendered) \(histogram.count)")
            families[series.name, default: []].append(contentsOf: lines)
        }
        var text = ""
        for name in families.keys.sorted() {
            if let help = snapshot.help[name] {
                text += "# HELP \(name) \(help.text)\n# TYPE \(name) \(help.type)\n"
            }
            for line in families[name]!.sorted() { text += line + "\n" }
        }
        return text
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
