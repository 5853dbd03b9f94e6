//! The customer-facing display: what the shopper sees on a second screen while the cashier
//! rings up — the lines with their savings, the total, then what was paid and the change, then
//! thank you. The till sends this (not its cart) so the display needs no store rules.

use crate::cart::Totals;
use crate::money::Money;
use crate::sale::Sale;
use crate::store::StoreSettings;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Nothing in the cart: a welcome.
    Idle,
    Cart,
    /// Paid: the change, and thank you.
    Paid,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisplayLine {
    pub name: String,
    /// As the receipt shows it: "× 2" or "0.345 kg".
    pub qty: String,
    pub amount: Money,
    /// What promotions and discounts took off this line, if anything.
    pub saving: Option<Money>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisplayState {
    pub store_name: String,
    /// "ja" or "en": the display greets in the store's language (and English beside Japanese).
    pub locale: String,
    pub phase: Phase,
    pub lines: Vec<DisplayLine>,
    pub total: Option<Money>,
    pub paid: Option<Money>,
    pub change: Option<Money>,
}

impl DisplayState {
    pub fn idle(store: &StoreSettings) -> DisplayState {
        DisplayState {
            store_name: store.name.clone(),
            locale: store.locale.clone(),
            phase: Phase::Idle,
            lines: Vec::new(),
            total: None,
            paid: None,
            change: None,
        }
    }

    /// The cart being rung up, priced as the till prices it.
    pub fn cart(store: &StoreSettings, cart: &crate::cart::Cart, totals: &Totals) -> DisplayState {
        if cart.is_empty() {
            return DisplayState::idle(store);
        }
        let lines = cart
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let amount = totals
                    .line_amounts
                    .get(i)
                    .copied()
                    .unwrap_or(Money::zero(store.currency));
                let gross = totals.line_gross.get(i).copied().unwrap_or(amount);
                let saving = gross
                    .checked_sub(amount)
                    .ok()
                    .filter(|s| s.amount > rust_decimal::Decimal::ZERO);
                DisplayLine {
                    name: l.name.clone(),
                    qty: qty_text(l.sold_by, l.qty),
                    amount,
                    saving,
                }
            })
            .collect();
        DisplayState {
            phase: Phase::Cart,
            lines,
            total: Some(totals.total),
            ..DisplayState::idle(store)
        }
    }

    /// A finished sale: the total, what the customer handed over and the change.
    pub fn paid(store: &StoreSettings, sale: &Sale) -> DisplayState {
        let paid = Money::sum(sale.total.currency, sale.tenders.iter().map(|t| t.amount())).ok();
        DisplayState {
            phase: Phase::Paid,
            total: Some(sale.total),
            paid,
            change: Some(sale.change),
            ..DisplayState::idle(store)
        }
    }

    /// The words on the display for its phase, in the store's language (Japanese stores show
    /// English too: many customers are visitors).
    pub fn greeting(&self) -> &'static str {
        match (self.phase, self.locale.as_str()) {
            (Phase::Idle, "ja") => "いらっしゃいませ · Welcome",
            (Phase::Idle, _) => "Welcome",
            (Phase::Cart, "ja") => "お会計 · Your items",
            (Phase::Cart, _) => "Your items",
            (Phase::Paid, "ja") => "ありがとうございました · Thank you",
            (Phase::Paid, _) => "Thank you",
        }
    }
}

fn qty_text(sold_by: crate::catalogue::SoldBy, qty: rust_decimal::Decimal) -> String {
    match sold_by {
        crate::catalogue::SoldBy::Each => format!("× {qty}"),
        crate::catalogue::SoldBy::Kilogram => format!("{qty} kg"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cart::{tests::product, Cart, Discount};
    use crate::catalogue::SoldBy;
    use crate::money::Currency;
    use crate::sale::{Checkout, Tender};
    use crate::tax::TaxClass;
    use rust_decimal::Decimal;

    #[test]
    fn the_display_follows_cart_then_payment() {
        let store = StoreSettings::japan("s", "Shibuya");
        let mut cart = Cart::default();
        assert_eq!(
            DisplayState::cart(&store, &cart, &cart.totals(&store).unwrap()).phase,
            Phase::Idle
        );
        cart.add(
            &product("a", 300, TaxClass::Reduced, SoldBy::Each),
            Decimal::from(2),
        )
        .unwrap();
        cart.set_discount(0, Some(Discount::Amount(Decimal::from(100))))
            .unwrap();
        let totals = cart.totals(&store).unwrap();
        let shown = DisplayState::cart(&store, &cart, &totals);
        let yen = |n: i64| Money::new(Decimal::from(n), Currency::JPY);
        assert_eq!(shown.phase, Phase::Cart);
        assert_eq!(shown.lines[0].qty, "× 2");
        assert_eq!(shown.lines[0].amount, yen(500));
        assert_eq!(shown.lines[0].saving, Some(yen(100)));
        assert_eq!(shown.total, Some(yen(500)));
        assert!(shown.greeting().contains("Your items"));
        let sale = Sale::complete(
            &cart,
            &store,
            vec![Tender::Cash {
                tendered: yen(1000),
            }],
            Checkout {
                id: uuid::Uuid::from_u128(1),
                lane_id: "l",
                receipt_no: "L1-000001".into(),
                at_ms: 0,
            },
        )
        .unwrap();
        let done = DisplayState::paid(&store, &sale);
        assert_eq!((done.paid, done.change), (Some(yen(1000)), Some(yen(500))));
        assert_eq!(done.greeting(), "ありがとうございました · Thank you");
        // It travels as JSON over the BroadcastChannel.
        let json = serde_json::to_string(&done).unwrap();
        assert_eq!(serde_json::from_str::<DisplayState>(&json).unwrap(), done);
    }
}
