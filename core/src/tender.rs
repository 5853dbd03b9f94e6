//! Tenders: how a customer pays, and the rules for settling a total with them.
//!
//! Over-tender is allowed only in cash (the change); a card is charged exactly what it pays. Card
//! payments run on an external terminal: till records the brand, the last four digits and the
//! approval code — never a card number.

use crate::money::{Currency, Money, MoneyError, Rounding};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Tender {
    /// Cash handed over; change is given from cash only.
    Cash {
        tendered: Money,
    },
    /// Paid on an external card terminal.
    Card {
        amount: Money,
        brand: String,
        last4: String,
        approval: String,
    },
    GiftCard {
        amount: Money,
        card_id: String,
    },
    StoreCredit {
        amount: Money,
        customer_id: String,
    },
    /// Anything else the store accepts (a voucher, a QR wallet on its own terminal), by name.
    Other {
        amount: Money,
        name: String,
    },
    /// An exchange: the value of returned items paying for new ones. On the sale it names the
    /// return (a refund) it came from; on the refund, the sale it went to (see `exchange`).
    Exchange {
        amount: Money,
        with: uuid::Uuid,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TenderError {
    #[error("{paid} is less than the total {total}: {short} more is needed")]
    Underpaid {
        paid: String,
        total: String,
        short: String,
    },
    #[error("{0} would be paid {1} more than the total: only cash can be over-tendered")]
    NonCashOverTender(String, String),
    #[error("an amount must not be negative")]
    Negative,
    #[error("enter the last 4 digits of the card, as printed on the terminal slip")]
    BadLast4,
    #[error("that looks like a card number: till never stores card numbers — enter only the last 4 digits and the approval code")]
    CardNumberRefused,
    #[error("enter the approval code from the terminal slip")]
    MissingApproval,
    #[error("a tender needs a name")]
    MissingName,
    #[error("that is not one of the store's gift card numbers (8 to 20 letters and digits)")]
    BadGiftCard,
    #[error(transparent)]
    Money(#[from] MoneyError),
}

impl Tender {
    pub fn amount(&self) -> Money {
        match self {
            Tender::Cash { tendered } => *tendered,
            Tender::Card { amount, .. }
            | Tender::GiftCard { amount, .. }
            | Tender::StoreCredit { amount, .. }
            | Tender::Other { amount, .. }
            | Tender::Exchange { amount, .. } => *amount,
        }
    }

    pub fn is_cash(&self) -> bool {
        matches!(self, Tender::Cash { .. })
    }

    /// The name a receipt and the shift report use.
    pub fn label(&self) -> String {
        match self {
            Tender::Cash { .. } => "Cash".into(),
            Tender::Card { brand, last4, .. } => format!("{brand} ****{last4}"),
            Tender::GiftCard { .. } => "Gift card".into(),
            Tender::StoreCredit { .. } => "Store credit".into(),
            Tender::Other { name, .. } => name.clone(),
            Tender::Exchange { .. } => "Exchange".into(),
        }
    }

    /// Refuse anything that is not safe to store: a negative amount, or a card number typed into
    /// any text field (a run of 12+ digits, the shortest card numbers).
    pub fn validate(&self) -> Result<(), TenderError> {
        if self.amount().amount < Decimal::ZERO {
            return Err(TenderError::Negative);
        }
        let texts: Vec<&str> = match self {
            Tender::Cash { .. } => vec![],
            Tender::Card {
                brand,
                last4,
                approval,
                ..
            } => {
                if last4.len() != 4 || !last4.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(TenderError::BadLast4);
                }
                if approval.trim().is_empty() {
                    return Err(TenderError::MissingApproval);
                }
                vec![brand, approval]
            }
            Tender::GiftCard { card_id, .. } => {
                if crate::gift_card::check_code(card_id).as_deref() != Ok(card_id.as_str()) {
                    return Err(TenderError::BadGiftCard);
                }
                vec![card_id]
            }
            Tender::StoreCredit { customer_id, .. } => vec![customer_id],
            Tender::Other { name, .. } => {
                if name.trim().is_empty() {
                    return Err(TenderError::MissingName);
                }
                vec![name]
            }
            Tender::Exchange { .. } => vec![],
        };
        if texts.iter().any(|t| longest_digit_run(t) >= 12) {
            return Err(TenderError::CardNumberRefused);
        }
        Ok(())
    }
}

fn longest_digit_run(s: &str) -> usize {
    // Spaces and dashes inside a number ("4111 1111 ...") do not break the run.
    let mut best = 0;
    let mut run = 0;
    for c in s.chars() {
        if c.is_ascii_digit() {
            run += 1;
            best = best.max(run);
        } else if c != ' ' && c != '-' {
            run = 0;
        }
    }
    best
}

/// Rounding of a cash total to the smallest coin, where it is larger than the minor unit
/// (Swiss francs to 0.05, for example). Only applies when the sale is paid entirely in cash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CashRounding {
    pub increment: Decimal,
    pub rule: Rounding,
}

impl CashRounding {
    /// The nearest multiple of the increment by the rule (HalfUp: CHF 10.02 → 10.00, 10.03 → 10.05).
    pub fn apply(&self, amount: Money) -> Money {
        if self.increment <= Decimal::ZERO {
            return amount;
        }
        let steps = self.rule.apply(amount.amount / self.increment, 0);
        Money::new(steps * self.increment, amount.currency)
    }
}

/// The outcome of paying a total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settlement {
    /// What was due after cash rounding.
    pub due: Money,
    /// `due` − the total: the cash-rounding adjustment (zero unless paid all in cash).
    pub rounding: Money,
    pub paid: Money,
    pub change: Money,
}

/// Settle `total` with `tenders`: every tender valid, non-cash tenders together never more than
/// the total, everything together at least the total; change from cash only.
pub fn settle(
    total: Money,
    tenders: &[Tender],
    cash_rounding: Option<CashRounding>,
) -> Result<Settlement, TenderError> {
    let cur: Currency = total.currency;
    for t in tenders {
        t.validate()?;
    }
    let all_cash = !tenders.is_empty() && tenders.iter().all(Tender::is_cash);
    let due = match cash_rounding {
        Some(r) if all_cash => r.apply(total),
        _ => total,
    };
    let non_cash = Money::sum(
        cur,
        tenders.iter().filter(|t| !t.is_cash()).map(Tender::amount),
    )?;
    let over = non_cash.checked_sub(due)?;
    if over.amount > Decimal::ZERO {
        return Err(TenderError::NonCashOverTender(
            non_cash.display(),
            over.display(),
        ));
    }
    let paid = Money::sum(cur, tenders.iter().map(Tender::amount))?;
    let short = due.checked_sub(paid)?;
    if short.amount > Decimal::ZERO {
        return Err(TenderError::Underpaid {
            paid: paid.display(),
            total: due.display(),
            short: short.display(),
        });
    }
    Ok(Settlement {
        due,
        rounding: due.checked_sub(total)?,
        paid,
        change: paid.checked_sub(due)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn yen(v: i64) -> Money {
        Money::new(Decimal::from(v), Currency::JPY)
    }
    fn card(v: i64) -> Tender {
        Tender::Card {
            amount: yen(v),
            brand: "VISA".into(),
            last4: "4242".into(),
            approval: "A1B2C3".into(),
        }
    }

    #[test]
    fn split_tender_with_change_from_cash_only() {
        let s = settle(
            yen(1_280),
            &[
                card(1_000),
                Tender::Cash {
                    tendered: yen(1_000),
                },
            ],
            None,
        )
        .unwrap();
        assert_eq!((s.paid, s.change), (yen(2_000), yen(720)));
        assert!(matches!(
            settle(yen(1_280), &[card(1_500)], None),
            Err(TenderError::NonCashOverTender(..))
        ));
        assert!(matches!(
            settle(yen(1_280), &[card(1_000)], None),
            Err(TenderError::Underpaid { .. })
        ));
        let exact = settle(
            yen(1_280),
            &[
                card(280),
                Tender::GiftCard {
                    amount: yen(1_000),
                    card_id: "GC00010001".into(),
                },
            ],
            None,
        )
        .unwrap();
        assert_eq!(exact.change, yen(0));
    }

    #[test]
    fn card_numbers_are_never_accepted() {
        let pan = Tender::Card {
            amount: yen(1),
            brand: "VISA 4111 1111 1111 1111".into(),
            last4: "1111".into(),
            approval: "X".into(),
        };
        assert_eq!(pan.validate(), Err(TenderError::CardNumberRefused));
        let other = Tender::Other {
            amount: yen(1),
            name: "4111-1111-1111-1111".into(),
        };
        assert_eq!(other.validate(), Err(TenderError::CardNumberRefused));
        let bad = Tender::Card {
            amount: yen(1),
            brand: "VISA".into(),
            last4: "41111".into(),
            approval: "X".into(),
        };
        assert_eq!(bad.validate(), Err(TenderError::BadLast4));
        assert_eq!(card(1).validate(), Ok(()));
    }

    #[test]
    fn swiss_cash_rounds_to_five_rappen_only_when_all_cash() {
        let chf = |v: &str| {
            Money::new(
                Decimal::from_str(v).unwrap(),
                Currency::from_code("CHF").unwrap(),
            )
        };
        let r = Some(CashRounding {
            increment: Decimal::new(5, 2),
            rule: Rounding::HalfUp,
        });
        let s = settle(
            chf("10.02"),
            &[Tender::Cash {
                tendered: chf("20.00"),
            }],
            r,
        )
        .unwrap();
        assert_eq!(
            (s.due, s.rounding, s.change),
            (chf("10.00"), chf("-0.02"), chf("10.00"))
        );
        let s = settle(
            chf("10.03"),
            &[Tender::Cash {
                tendered: chf("10.05"),
            }],
            r,
        )
        .unwrap();
        assert_eq!((s.due, s.change), (chf("10.05"), chf("0.00")));
        let mixed = settle(
            chf("10.03"),
            &[
                Tender::Other {
                    amount: chf("5"),
                    name: "Voucher".into(),
                },
                Tender::Cash {
                    tendered: chf("5.03"),
                },
            ],
            r,
        )
        .unwrap();
        assert_eq!(mixed.due, chf("10.03"));
    }
}
