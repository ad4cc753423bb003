extension Duration {
    /// The duration in seconds, for arithmetic with rates and dates.
    public var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
