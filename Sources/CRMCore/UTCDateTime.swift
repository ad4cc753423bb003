/// A moment as the calendar reads it in UTC, to the second: what the API's
/// ISO-8601 dates print.
///
/// Worked out by arithmetic rather than with `gmtime_r`, which takes the C
/// library's time-zone lock on every call: every row of an inbox page has a
/// date, and the daemon's threads would queue on that lock.
public struct UTCDateTime: Equatable, Sendable {
    public var year: Int
    /// 1...12
    public var month: Int
    /// 1...31
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int

    /// - Parameter secondsSince1970: whole seconds since 1970-01-01T00:00:00Z; negative before it.
    public init(secondsSince1970: Int64) {
        let secondsPerDay: Int64 = 86_400
        // Floor division, so that a moment before 1970 falls on the day before.
        var days = secondsSince1970 / secondsPerDay
        var secondOfDay = secondsSince1970 % secondsPerDay
        if secondOfDay < 0 { secondOfDay += secondsPerDay; days -= 1 }
        hour = Int(secondOfDay / 3_600)
        minute = Int(secondOfDay % 3_600 / 60)
        second = Int(secondOfDay % 60)

        // An estimate of the year from the mean year length, then corrected
        // by the exact count of days before it (at most a step either way).
        var year = 1970 + Int(days * 400 / 146_097)
        while UTCDateTime.daysBefore(year: year) > days { year -= 1 }
        while UTCDateTime.daysBefore(year: year + 1) <= days { year += 1 }
        var dayOfYear = Int(days - UTCDateTime.daysBefore(year: year))
        self.year = year

        var month = 1
        while true {
            let length = UTCDateTime.length(ofMonth: month, leap: UTCDateTime.isLeap(year))
            if dayOfYear < length { break }
            dayOfYear -= length
            month += 1
        }
        self.month = month
        day = dayOfYear + 1
    }

    static func isLeap(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    private static func length(ofMonth month: Int, leap: Bool) -> Int {
        switch month {
        case 2: leap ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to January 1st of `year`; negative before 1970.
    private static func daysBefore(year: Int) -> Int64 {
        // Leap years in 1...n, counted by the Gregorian rule.
        func leapYears(through n: Int) -> Int { n / 4 - n / 100 + n / 400 }
        let leaps = leapYears(through: year - 1) - leapYears(through: 1969)
        return Int64(365 * (year - 1970) + leaps)
    }
}
