import Foundation

/// The moments the host keeps and prints: the years 1 to 9999, what an
/// ISO-8601 date holds in four digits. A `Date` can hold any `Double`,
/// NaN and infinities included, and some come from outside (a webhook's
/// timestamp, a row stored before input was checked): converting one to
/// whole seconds or to calendar digits must never trap, so every such
/// conversion goes through here.
extension Date {
    /// 0001-01-01T00:00:00Z.
    public static let earliestKept = Date(timeIntervalSince1970: -62_135_596_800)
    /// 9999-12-31T23:59:59Z.
    public static let latestKept = Date(timeIntervalSince1970: 253_402_300_799)

    /// This moment moved into the kept range (its nearest end when outside);
    /// NaN, which is no moment, becomes the epoch.
    public var keptInRange: Date {
        let seconds = timeIntervalSince1970
        guard !seconds.isNaN else { return Date(timeIntervalSince1970: 0) }
        return Date(timeIntervalSince1970: Swift.min(Swift.max(seconds, Date.earliestKept.timeIntervalSince1970),
                                                     Date.latestKept.timeIntervalSince1970))
    }

    /// Whole seconds since 1970, rounded down, of `keptInRange`: what
    /// `os.time()` and the API's dates count, and safe for any date.
    public var wholeSecondsSince1970: Int64 {
        Int64(keptInRange.timeIntervalSince1970.rounded(.down))
    }
}
