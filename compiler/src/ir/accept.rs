//! Accepted risks: `accept AML3004 { reason = "..." expires = "2027-06-30"
//! by = "..." }`, written in a workspace, in `defaults` or at the top of a
//! file (`docs/language.md`, "Accepted risks"). An accepted finding is
//! counted, not printed, listed in the report with its reason, owner and
//! expiry, and becomes an error again once the build's date is past its
//! expiry. Where a policy block of the build would deny or flag the
//! workspace, the acceptance also becomes a policy exemption.

use crate::calendar;
use crate::diag::Code;
use crate::span::Span;

/// A calendar date, `YYYY-MM-DD` (proleptic Gregorian, as Azure Policy's
/// `expiresOn` and ISO 8601 read it). Ordered by time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// Reads `YYYY-MM-DD` (exactly: four, two and two digits), checking
    /// the month and the day of that month (leap years included). Years
    /// before 2000 are refused: no acceptance expires before amlgen existed.
    #[must_use]
    pub fn parse(text: &str) -> Option<Date> {
        let b = text.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let digits = |r: std::ops::Range<usize>| -> Option<u16> {
            let s = &text[r];
            if s.bytes().all(|c| c.is_ascii_digit()) {
                s.parse().ok()
            } else {
                None
            }
        };
        let year = digits(0..4)?;
        let month = u8::try_from(digits(5..7)?).ok()?;
        let day = u8::try_from(digits(8..10)?).ok()?;
        if year < 2000 || !(1..=12).contains(&month) {
            return None;
        }
        if day == 0 || i64::from(day) > calendar::days_in_month(i64::from(year), i64::from(month)) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// The date `days` days after the Unix epoch (1970-01-01), for the
    /// build's "today" read from the system clock.
    #[must_use]
    pub fn from_days_since_epoch(days: u64) -> Date {
        let (y, m, d) = calendar::civil_from_days(i64::try_from(days).unwrap_or(i64::MAX / 2));
        Date {
            year: u16::try_from(y).unwrap_or(u16::MAX),
            month: u8::try_from(m).unwrap_or(1),
            day: u8::try_from(d).unwrap_or(1),
        }
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Where an `accept` statement is written, which decides what it covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AcceptLevel {
    /// At the top of a file: every finding of that file.
    File,
    /// In the file's `defaults`: every workspace of that file.
    Defaults,
    /// In one workspace: that workspace's findings.
    Workspace,
}

/// How an exemption made from the acceptance is categorised
/// (Microsoft.Authorization/policyExemptions `exemptionCategory`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AcceptCategory {
    /// The risk is accepted as it is (the default).
    Waiver,
    /// The risk is handled by other means, named in the reason.
    Mitigated,
}

impl AcceptCategory {
    pub const ALL: &'static [(&'static str, AcceptCategory)] = &[
        ("waiver", AcceptCategory::Waiver),
        ("mitigated", AcceptCategory::Mitigated),
    ];

    /// The value of `exemptionCategory`.
    #[must_use]
    pub fn arm(self) -> &'static str {
        match self {
            AcceptCategory::Waiver => "Waiver",
            AcceptCategory::Mitigated => "Mitigated",
        }
    }
}

/// One `accept` statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accepted {
    /// The finding accepted (only codes whose findings a posture may
    /// accept: see [`acceptable`]).
    pub code: Code,
    /// Where the code is written.
    pub code_span: Span,
    /// Why the risk is accepted (non-empty).
    pub reason: String,
    /// Who accepted it (non-empty): a person, a team, a ticket.
    pub by: String,
    /// The last day the acceptance holds; from the day after, the finding
    /// is an error again.
    pub expires: Date,
    pub expires_span: Span,
    pub category: AcceptCategory,
    pub level: AcceptLevel,
    /// The whole statement, `accept` to its closing brace.
    pub span: Span,
}

/// Whether a posture may accept findings of `code`: the warnings of the
/// platform rules (`AML3xxx`), and a policy block's denial of a workspace
/// (`AML3029`), which a policy exemption then lets through. Errors Azure
/// itself would refuse, and findings about the input, cannot be accepted;
/// nor can the findings about acceptances themselves (`AML3170`-`AML3179`):
/// an unused acceptance is removed, not accepted.
#[must_use]
pub fn acceptable(code: Code) -> bool {
    code.id().starts_with("AML3")
        && !code.id().starts_with("AML317")
        && (code.default_severity() == crate::diag::Severity::Warning
            || code == Code::PolicyContradiction)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_strictly() {
        assert_eq!(
            Date::parse("2027-06-30"),
            Some(Date {
                year: 2027,
                month: 6,
                day: 30
            })
        );
        assert_eq!(Date::parse("2028-02-29").map(|d| d.day), Some(29));
        for bad in [
            "2027-02-29",
            "2027-6-30",
            "2027-06-31",
            "2027-13-01",
            "2027-00-10",
            "1999-12-31",
            "2027/06/30",
            "2027-06-30T00:00",
            "+027-06-30",
            "",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
        assert_eq!(Date::parse("2027-06-30").unwrap().to_string(), "2027-06-30");
        assert!(Date::parse("2027-06-30") < Date::parse("2027-07-01"));
    }

    #[test]
    fn days_since_epoch_convert() {
        assert_eq!(Date::from_days_since_epoch(0).to_string(), "1970-01-01");
        assert_eq!(
            Date::from_days_since_epoch(11_017).to_string(),
            "2000-03-01"
        );
        assert_eq!(
            Date::from_days_since_epoch(20_794).to_string(),
            "2026-12-07"
        );
    }

    #[test]
    fn only_platform_warnings_and_policy_denials_are_acceptable() {
        assert!(acceptable(Code::FqdnFirewallCost));
        assert!(acceptable(Code::PolicyContradiction));
        assert!(!acceptable(Code::UnknownSetting));
        assert!(!acceptable(Code::DriftInPlace));
        // The findings about acceptances are not themselves acceptable.
        assert!(!acceptable(Code::UnusedAcceptance));
        assert!(!acceptable(Code::ExpiredAcceptance));
        assert!(
            Code::ALL
                .iter()
                .filter(|c| acceptable(**c))
                .all(|c| c.id().starts_with("AML3"))
        );
    }
}
