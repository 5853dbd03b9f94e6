//! Exports for the owner's spreadsheet and accounting software: every sale and refund line, and
//! an accounting journal (balanced double entry per receipt), as CSV (RFC 4180: quoted fields,
//! CRLF). A UTF-8 byte-order mark is written first because Excel in Japan reads a CSV without one
//! as Shift_JIS and garbles kanji. Cells that a spreadsheet would run as a formula are defused.

use crate::event::{Event, EventBody};
use crate::money::{Money, MoneyError};
use crate::refund::Refund;
use crate::sale::Sale;
use crate::tax::{TaxClass, TaxLine, TaxMode};
use crate::tender::Tender;
use rust_decimal::Decimal;
use uuid::Uuid;

const BOM: &str = "\u{feff}";

/// One CSV field: quoted when it holds a comma, quote or line break; a text that starts like a
/// formula (= + - @, or a tab/CR) gets a leading apostrophe so a spreadsheet shows it as text.
/// Numbers are written by the caller unquoted (`number`), so a negative amount stays a number.
pub fn field(text: &str) -> String {
    let defused = match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    };
    if defused.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

/// A number as a CSV cell: plain digits, a point and an optional minus, never quoted or defused.
pub fn number(d: Decimal) -> String {
    d.normalize().to_string()
}

fn row(cells: &[String]) -> String {
    let mut line = cells.join(",");
    line.push_str("\r\n");
    line
}

/// The rate of a tax class on a receipt (from its tax lines; 0 when the class has none).
fn rate_of(tax: &[TaxLine], class: TaxClass) -> Decimal {
    tax.iter()
        .find(|t| t.class == class)
        .map_or(Decimal::ZERO, |t| t.rate)
}

fn percent(rate: Decimal) -> String {
    number(rate * Decimal::ONE_HUNDRED)
}

/// Every line of the sales and refunds among `events`, one row each (refunds negative), in the
/// store's local time.
pub fn sales_lines_csv(events: &[Event], utc_offset_minutes: i32) -> String {
    let mut out = String::from(BOM);
    out.push_str(&row(&[
        "date",
        "time",
        "receipt",
        "lane",
        "kind",
        "sku",
        "name",
        "quantity",
        "unit_price",
        "discount",
        "amount",
        "tax_rate_percent",
        "tax_class",
    ]
    .map(String::from)));
    let time = |ms: i64| crate::time::local_time(ms, utc_offset_minutes);
    for e in events {
        match &e.body {
            EventBody::SaleCompleted(s) => {
                for l in &s.lines {
                    out.push_str(&row(&[
                        field(&s.business_day),
                        field(&time(s.at_ms)),
                        field(&s.receipt_no),
                        field(&s.lane_id),
                        "sale".into(),
                        field(&l.sku),
                        field(&l.name),
                        number(l.qty),
                        number(l.unit_price.amount),
                        number(l.discount.amount),
                        number(l.amount.amount),
                        percent(rate_of(&s.tax, l.tax_class)),
                        field(tax_class(l.tax_class)),
                    ]));
                }
            }
            EventBody::RefundIssued(r) => {
                for l in &r.lines {
                    out.push_str(&row(&[
                        field(&r.business_day),
                        field(&time(r.at_ms)),
                        field(&r.receipt_no),
                        field(&r.lane_id),
                        "refund".into(),
                        field(&l.sku),
                        field(&l.name),
                        number(-l.qty),
                        String::new(),
                        String::new(),
                        number(-l.amount.amount),
                        percent(rate_of(&r.tax, l.tax_class)),
                        field(tax_class(l.tax_class)),
                    ]));
                }
            }
            _ => {}
        }
    }
    out
}

fn tax_class(c: TaxClass) -> &'static str {
    match c {
        TaxClass::Standard => "standard",
        TaxClass::Reduced => "reduced",
        TaxClass::Exempt => "exempt",
    }
}

/// The accounts the journal books to. English defaults; a store can rename them to match its
/// chart of accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalAccounts {
    pub cash: String,
    pub card: String,
    pub gift_card: String,
    pub store_credit: String,
    pub other: String,
    pub sales: String,
    pub tax_payable: String,
    pub cash_rounding: String,
    /// Tips collected for the staff: owed to them, not the store's income.
    pub tips_payable: String,
    /// Returned items' value moving to the exchange sale: nets to zero over the two.
    pub exchange: String,
}

impl Default for JournalAccounts {
    fn default() -> Self {
        JournalAccounts {
            cash: "Cash".into(),
            card: "Card receivable".into(),
            gift_card: "Gift card liability".into(),
            store_credit: "Store credit liability".into(),
            other: "Other receivable".into(),
            sales: "Sales".into(),
            tax_payable: "Consumption/sales tax payable".into(),
            cash_rounding: "Cash rounding".into(),
            tips_payable: "Tips payable".into(),
            exchange: "Exchange clearing".into(),
        }
    }
}

/// One posting: (account, debit, credit, tax rate, memo). Amounts are non-negative.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posting {
    pub account: String,
    pub debit: Decimal,
    pub credit: Decimal,
    pub tax_rate: Option<Decimal>,
    pub memo: String,
}

/// The postings of one sale: tenders debited (cash net of change), sales per tax rate and the
/// tax on each credited, the cash rounding where there is one. Debits equal credits exactly.
pub fn sale_postings(
    sale: &Sale,
    mode: TaxMode,
    accounts: &JournalAccounts,
) -> Result<Vec<Posting>, MoneyError> {
    let mut debits: Vec<(String, Money, String)> = Vec::new();
    for t in &sale.tenders {
        let amount = if t.is_cash() {
            t.amount().checked_sub(sale.change)?
        } else {
            t.amount()
        };
        debits.push((tender_account(t, accounts), amount, t.label()));
    }
    let credits = revenue(sale.total, &sale.tax, mode, accounts)?;
    let mut out: Vec<Posting> = debits
        .into_iter()
        .map(|(account, m, label)| posting(account, m, None, &label, true))
        .collect();
    out.extend(credits);
    if let Some(tip) = sale.tip {
        out.push(posting(
            accounts.tips_payable.clone(),
            tip,
            None,
            "tip",
            false,
        ));
    }
    if let Some(r) = sale.cash_rounding.filter(|r| !r.is_zero()) {
        // The customer paid the rounded amount: the difference is its own income or expense.
        out.push(posting(
            accounts.cash_rounding.clone(),
            r,
            None,
            "cash rounding",
            false,
        ));
    }
    Ok(out)
}

/// The postings of a gift card load: the money taken debited, the card's liability credited.
pub fn gift_card_postings(
    load: &crate::gift_card::GiftCardLoad,
    accounts: &JournalAccounts,
) -> Result<Vec<Posting>, MoneyError> {
    let mut out = Vec::with_capacity(load.tenders.len() + 1);
    for t in &load.tenders {
        let amount = if t.is_cash() {
            t.amount().checked_sub(load.change)?
        } else {
            t.amount()
        };
        out.push(posting(
            tender_account(t, accounts),
            amount,
            None,
            &t.label(),
            true,
        ));
    }
    out.push(posting(
        accounts.gift_card.clone(),
        load.amount,
        None,
        &format!("gift card {}", load.code),
        false,
    ));
    Ok(out)
}

/// The postings of a refund: the sale's entry the other way round, for what came back.
pub fn refund_postings(
    refund: &Refund,
    mode: TaxMode,
    accounts: &JournalAccounts,
) -> Result<Vec<Posting>, MoneyError> {
    let mut out: Vec<Posting> = revenue(refund.total, &refund.tax, mode, accounts)?
        .into_iter()
        .map(|p| Posting {
            debit: p.credit,
            credit: p.debit,
            ..p
        })
        .collect();
    for t in &refund.tenders {
        out.push(posting(
            tender_account(t, accounts),
            t.amount(),
            None,
            &t.label(),
            false,
        ));
    }
    Ok(out)
}

/// Sales per tax rate net of tax, and the tax per rate, crediting `total` exactly; whatever the
/// tax lines do not cover (tax-exempt goods) is booked as sales without tax.
fn revenue(
    total: Money,
    tax: &[TaxLine],
    mode: TaxMode,
    accounts: &JournalAccounts,
) -> Result<Vec<Posting>, MoneyError> {
    let memo = "";
    let mut out = Vec::new();
    let mut booked = Money::zero(total.currency);
    for t in tax {
        let net = match mode {
            TaxMode::Inclusive => t.taxable.checked_sub(t.tax)?,
            TaxMode::Exclusive => t.taxable,
        };
        out.push(posting(
            accounts.sales.clone(),
            net,
            Some(t.rate),
            memo,
            false,
        ));
        out.push(posting(
            accounts.tax_payable.clone(),
            t.tax,
            Some(t.rate),
            memo,
            false,
        ));
        booked = booked.checked_add(net)?.checked_add(t.tax)?;
    }
    let rest = total.checked_sub(booked)?;
    if !rest.is_zero() {
        out.push(posting(
            accounts.sales.clone(),
            rest,
            Some(Decimal::ZERO),
            memo,
            false,
        ));
    }
    Ok(out)
}

fn tender_account(t: &Tender, a: &JournalAccounts) -> String {
    match t {
        Tender::Cash { .. } => a.cash.clone(),
        Tender::Card { .. } => a.card.clone(),
        Tender::GiftCard { .. } => a.gift_card.clone(),
        Tender::StoreCredit { .. } => a.store_credit.clone(),
        Tender::Other { name, .. } => format!("{} ({name})", a.other),
        Tender::Exchange { .. } => a.exchange.clone(),
    }
}

/// A posting on the debit side (`debit`) or the credit side; a negative amount goes to the other
/// side, so every cell is non-negative.
fn posting(account: String, m: Money, rate: Option<Decimal>, memo: &str, debit: bool) -> Posting {
    let (amount, debit) = if m.amount.is_sign_negative() {
        (-m.amount, !debit)
    } else {
        (m.amount, debit)
    };
    Posting {
        account,
        debit: if debit { amount } else { Decimal::ZERO },
        credit: if debit { Decimal::ZERO } else { amount },
        tax_rate: rate,
        memo: memo.to_string(),
    }
}

/// The accounting journal of `events` as CSV: date, entry (receipt number), account, debit,
/// credit, tax rate, memo. A voided sale is reversed with the original sale's postings, found by
/// `sale_of`.
pub fn journal_csv(
    events: &[Event],
    mode: TaxMode,
    accounts: &JournalAccounts,
    sale_of: impl Fn(Uuid) -> Option<Sale>,
) -> Result<String, MoneyError> {
    let mut out = String::from(BOM);
    out.push_str(&row(&[
        "date",
        "entry",
        "account",
        "debit",
        "credit",
        "tax_rate_percent",
        "memo",
    ]
    .map(String::from)));
    for e in events {
        let (day, entry, postings) = match &e.body {
            EventBody::SaleCompleted(s) => (
                s.business_day.clone(),
                s.receipt_no.clone(),
                sale_postings(s, mode, accounts)?,
            ),
            EventBody::RefundIssued(r) => (
                r.business_day.clone(),
                r.receipt_no.clone(),
                refund_postings(r, mode, accounts)?,
            ),
            EventBody::SaleVoided(v) => match sale_of(v.sale_id) {
                Some(s) => (
                    v.business_day.clone(),
                    format!("{} void", v.receipt_no),
                    sale_postings(&s, mode, accounts)?
                        .into_iter()
                        .map(|p| Posting {
                            debit: p.credit,
                            credit: p.debit,
                            memo: v.reason.clone(),
                            ..p
                        })
                        .collect(),
                ),
                None => continue,
            },
            EventBody::GiftCardLoaded(l) => (
                l.business_day.clone(),
                format!("gift card {}", l.code),
                gift_card_postings(l, accounts)?,
            ),
            _ => continue,
        };
        for p in postings {
            out.push_str(&row(&[
                field(&day),
                field(&entry),
                field(&p.account),
                number(p.debit),
                number(p.credit),
                p.tax_rate.map(percent).unwrap_or_default(),
                field(&p.memo),
            ]));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cart::{tests::product, Cart, Discount};
    use crate::catalogue::SoldBy;
    use crate::money::Currency;
    use crate::refund::{RefundTo, ReturnLine, ReturnOrder};
    use crate::sale::Checkout;
    use crate::store::StoreSettings;
    use proptest::prelude::*;

    fn yen(n: i64) -> Money {
        Money::new(Decimal::from(n), Currency::JPY)
    }

    fn ck(id: u128, no: &str) -> Checkout<'static> {
        Checkout {
            id: Uuid::from_u128(id),
            lane_id: "l1",
            receipt_no: no.into(),
            at_ms: 0,
        }
    }

    fn balanced(postings: &[Posting]) -> bool {
        let d: Decimal = postings.iter().map(|p| p.debit).sum();
        let c: Decimal = postings.iter().map(|p| p.credit).sum();
        d == c
            && postings
                .iter()
                .all(|p| p.debit >= Decimal::ZERO && p.credit >= Decimal::ZERO)
    }

    #[test]
    fn cells_are_quoted_and_formulas_defused_but_numbers_stay_numbers() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("-2+3"), "'-2+3");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(number(Decimal::new(-1500, 2)), "-15");
        assert_eq!(number(Decimal::new(3450, 3)), "3.45");
    }

    proptest! {
        /// Invariant: every sale's journal entry balances to the yen, whatever its lines,
        /// discounts, tenders and tip; its refund's entry and a gift card load balance too.
        #[test]
        fn every_entry_balances(
            prices in proptest::collection::vec(1i64..5_000, 1..5),
            reduced in proptest::collection::vec(any::<bool>(), 5),
            cart_off in 0i64..30,
            card_part in 0i64..100,
            tip in 0i64..500,
        ) {
            let mut store = StoreSettings::japan("s", "S");
            store.tips = Some(crate::tip::TipSettings::default());
            let mut cart = Cart::default();
            for (i, p) in prices.iter().enumerate() {
                let class = if reduced[i] { TaxClass::Reduced } else { TaxClass::Standard };
                cart.add(&product(&format!("p{i}"), *p, class, SoldBy::Each), Decimal::ONE).unwrap();
            }
            cart.discount = Some(Discount::Percent(Decimal::from(cart_off)));
            let total = cart.totals(&store).unwrap().total;
            let card = Money::new((total.amount * Decimal::from(card_part) / Decimal::ONE_HUNDRED).floor(), Currency::JPY);
            let tip = yen(tip.min(total.amount.try_into().unwrap()));
            let cash = total.checked_sub(card).unwrap().checked_add(tip).unwrap().checked_add(yen(1000)).unwrap();
            let mut tenders = vec![Tender::Cash { tendered: cash }];
            if !card.is_zero() {
                tenders.push(Tender::Card { amount: card, brand: "VISA".into(), last4: "4242".into(), approval: "1".into() });
            }
            let sale = Sale::complete_with_tip(&cart, &store, tenders, ck(1, "L1-000001"), Some(tip)).unwrap();
            let accounts = JournalAccounts::default();
            let postings = sale_postings(&sale, TaxMode::Inclusive, &accounts).unwrap();
            prop_assert!(balanced(&postings), "{postings:?}");
            let order = ReturnOrder { lines: vec![ReturnLine { line: 0, qty: Decimal::ONE }], to: RefundTo::OriginalTenders, reason: "r".into(), approved_by: None };
            let refund = Refund::against(ck(2, "L1-000002"), &store, &sale, &[], order).unwrap();
            prop_assert!(balanced(&refund_postings(&refund, TaxMode::Inclusive, &accounts).unwrap()));
            let load = crate::gift_card::GiftCardLoad::new("2026-12-01", "GC00010002", total, vec![Tender::Cash { tendered: total.checked_add(yen(1000)).unwrap() }], None).unwrap();
            prop_assert!(balanced(&gift_card_postings(&load, &accounts).unwrap()));
        }
    }

    #[test]
    fn a_japanese_receipt_books_sales_and_tax_per_rate() {
        let store = StoreSettings::japan("s", "S");
        let mut cart = Cart::default();
        cart.add(
            &product("bento", 540, TaxClass::Reduced, SoldBy::Each),
            Decimal::ONE,
        )
        .unwrap();
        cart.add(
            &product("soap", 330, TaxClass::Standard, SoldBy::Each),
            Decimal::ONE,
        )
        .unwrap();
        let sale = Sale::complete(
            &cart,
            &store,
            vec![Tender::Cash {
                tendered: yen(1000),
            }],
            ck(1, "L1-000001"),
        )
        .unwrap();
        let event = Event {
            id: sale.id,
            lane_id: "l1".into(),
            lane_seq: 1,
            at_ms: 0,
            v: 1,
            body: EventBody::SaleCompleted(sale),
        };
        let csv = journal_csv(
            std::slice::from_ref(&event),
            TaxMode::Inclusive,
            &JournalAccounts::default(),
            |_| None,
        )
        .unwrap();
        assert!(csv.starts_with('\u{feff}'));
        let rows: Vec<&str> = csv.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(rows[1], "1970-01-01,L1-000001,Cash,870,0,,Cash");
        // ¥540 at 8% includes ¥40 tax; ¥330 at 10% includes ¥30 (truncated).
        assert!(
            rows.contains(&"1970-01-01,L1-000001,Sales,0,500,8,"),
            "{rows:?}"
        );
        assert!(rows.contains(&"1970-01-01,L1-000001,Consumption/sales tax payable,0,40,8,"));
        assert!(rows.contains(&"1970-01-01,L1-000001,Sales,0,300,10,"));
        assert!(rows.contains(&"1970-01-01,L1-000001,Consumption/sales tax payable,0,30,10,"));
        let lines = sales_lines_csv(&[event], 540);
        let lines: Vec<&str> = lines.split("\r\n").collect();
        assert_eq!(
            lines[1],
            "1970-01-01,09:00:00,L1-000001,l1,sale,bento,item bento,1,540,0,540,8,reduced"
        );
    }
}
