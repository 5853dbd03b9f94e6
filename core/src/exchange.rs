//! Exchanges: items come back and others go out, on one receipt. An exchange is booked as two
//! journal events that name each other — the return (a `Refund` whose money, up to the new
//! items' total, goes to the new sale) and the sale (paid first by that credit, a
//! `Tender::Exchange`). The customer pays the difference with any tender, or gets it back the
//! way the original sale was paid.
//!
//! Both halves are checked by the rules that check every refund and sale; the store also checks
//! that an exchange credit on a sale comes from a booked return that names that very sale
//! (`sync::check`), so credit cannot be made up or spent twice.

use crate::cart::Cart;
use crate::money::Money;
use crate::refund::{Refund, RefundError, RefundTo, ReturnLine, ReturnOrder};
use crate::sale::{Checkout, CheckoutError, Sale};
use crate::store::StoreSettings;
use crate::tender::Tender;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExchangeError {
    #[error("add the new items to the cart: an exchange without them is a return")]
    NothingNew,
    #[error(transparent)]
    Refund(#[from] RefundError),
    #[error(transparent)]
    Checkout(#[from] CheckoutError),
}

/// The two halves, in the order they are journaled (the return first: the sale spends it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    pub refund: Refund,
    pub sale: Sale,
}

/// What the cashier asked for: which lines of which receipt come back, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeOrder {
    pub returned: Vec<ReturnLine>,
    pub reason: String,
    pub approved_by: Option<String>,
}

impl Exchange {
    /// Return `order.returned` from `original` (after the `previous` refunds against it) for
    /// the new items in `cart`; `pay` covers what the new items cost beyond the returned ones.
    #[allow(clippy::too_many_arguments)]
    pub fn against(
        store: &StoreSettings,
        original: &Sale,
        previous: &[Refund],
        order: ExchangeOrder,
        cart: &Cart,
        pay: Vec<Tender>,
        refund_ck: Checkout<'_>,
        sale_ck: Checkout<'_>,
    ) -> Result<Exchange, ExchangeError> {
        if cart.is_empty() {
            return Err(ExchangeError::NothingNew);
        }
        let day = crate::time::business_day(sale_ck.at_ms, store.utc_offset_minutes);
        let new_total = cart
            .totals_on(store, &day)
            .map_err(CheckoutError::from)?
            .total;
        let mut return_order = ReturnOrder {
            lines: order.returned,
            to: RefundTo::OriginalTenders,
            reason: order.reason,
            approved_by: order.approved_by,
        };
        // What the returned items are worth decides how much of it the new sale can take.
        let worth = Refund::against(
            refund_ck.clone(),
            store,
            original,
            previous,
            return_order.clone(),
        )?
        .total;
        let applied = if worth.amount < new_total.amount {
            worth
        } else {
            new_total
        };
        return_order.to = RefundTo::Exchange {
            sale_id: sale_ck.id,
            applied,
        };
        let refund = Refund::against(refund_ck, store, original, previous, return_order)?;
        let mut tenders = Vec::with_capacity(pay.len() + 1);
        if !applied.is_zero() {
            tenders.push(Tender::Exchange {
                amount: applied,
                with: refund.id,
            });
        }
        tenders.extend(pay);
        let sale = Sale::complete(cart, store, tenders, sale_ck)?;
        Ok(Exchange { refund, sale })
    }

    /// What the customer pays for the exchange (negative: what they get back).
    pub fn difference(&self) -> Money {
        self.sale
            .total
            .checked_sub(self.refund.total)
            .unwrap_or(self.sale.total)
    }
}

/// The exchange credit a sale claims must come from a return that applied exactly that much to
/// exactly this sale. `refund` is the booked return the tender names (if the store has it).
pub fn check_credit(sale: &Sale, tender: &Tender, refund: Option<&Refund>) -> Result<(), String> {
    let Tender::Exchange { amount, with } = tender else {
        return Ok(());
    };
    match refund.map(|r| &r.order.to) {
        Some(RefundTo::Exchange { sale_id, applied })
            if *sale_id == sale.id && applied == amount =>
        {
            Ok(())
        }
        Some(_) => Err(format!(
            "the exchange credit of {amount} does not match the return {with}"
        )),
        None => Err(format!(
            "the exchange credit of {amount} names a return ({with}) the store does not have"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cart::tests::product;
    use crate::catalogue::SoldBy;
    use crate::money::Currency;
    use crate::tax::TaxClass;
    use rust_decimal::Decimal;
    use uuid::Uuid;

    fn yen(n: i64) -> Money {
        Money::new(Decimal::from(n), Currency::JPY)
    }

    fn ck(n: u128, no: &str) -> Checkout<'static> {
        Checkout {
            id: Uuid::from_u128(n),
            lane_id: "l1",
            receipt_no: no.into(),
            at_ms: 1_795_532_400_000 + n as i64,
        }
    }

    /// A ¥3,000 shirt (M) and a ¥1,000 pair of socks, paid by card.
    fn original(store: &StoreSettings) -> Sale {
        let mut cart = Cart::default();
        cart.add(
            &product("shirt-m", 3000, TaxClass::Standard, SoldBy::Each),
            Decimal::ONE,
        )
        .unwrap();
        cart.add(
            &product("socks", 1000, TaxClass::Standard, SoldBy::Each),
            Decimal::ONE,
        )
        .unwrap();
        let card = Tender::Card {
            amount: yen(4000),
            brand: "VISA".into(),
            last4: "4242".into(),
            approval: "A1".into(),
        };
        Sale::complete(&cart, store, vec![card], ck(1, "L1-000001")).unwrap()
    }

    fn order() -> ExchangeOrder {
        ExchangeOrder {
            returned: vec![ReturnLine {
                line: 0,
                qty: Decimal::ONE,
            }],
            reason: "wrong size".into(),
            approved_by: None,
        }
    }

    fn cart_of(price: i64) -> Cart {
        let mut cart = Cart::default();
        cart.add(
            &product("shirt-l", price, TaxClass::Standard, SoldBy::Each),
            Decimal::ONE,
        )
        .unwrap();
        cart
    }

    #[test]
    fn a_dearer_item_costs_the_difference() {
        let store = StoreSettings::japan("s", "S");
        let sale = original(&store);
        let cash = Tender::Cash {
            tendered: yen(1000),
        };
        let x = Exchange::against(
            &store,
            &sale,
            &[],
            order(),
            &cart_of(3500),
            vec![cash],
            ck(2, "L1-000002"),
            ck(3, "L1-000003"),
        )
        .unwrap();
        assert_eq!(x.difference(), yen(500));
        assert_eq!(
            x.refund.tenders,
            vec![Tender::Exchange {
                amount: yen(3000),
                with: x.sale.id
            }]
        );
        assert_eq!(
            x.sale.tenders[0],
            Tender::Exchange {
                amount: yen(3000),
                with: x.refund.id
            }
        );
        assert_eq!(x.sale.change, yen(500));
        // Both halves pass the checks every refund and sale pass, and the credit matches.
        assert_eq!(x.refund.verify(&store, Some(&sale), &[]), Ok(()));
        assert_eq!(x.sale.verify(&store), Ok(()));
        assert_eq!(
            check_credit(&x.sale, &x.sale.tenders[0], Some(&x.refund)),
            Ok(())
        );
        // Short of cash for the difference: refused with the amount short.
        assert!(matches!(
            Exchange::against(
                &store,
                &sale,
                &[],
                order(),
                &cart_of(3500),
                vec![],
                ck(2, "L1-000002"),
                ck(3, "L1-000003"),
            ),
            Err(ExchangeError::Checkout(CheckoutError::Tender(_)))
        ));
    }

    #[test]
    fn a_cheaper_item_gives_the_rest_back_the_way_it_was_paid() {
        let store = StoreSettings::japan("s", "S");
        let sale = original(&store);
        let x = Exchange::against(
            &store,
            &sale,
            &[],
            order(),
            &cart_of(2200),
            vec![],
            ck(2, "L1-000002"),
            ck(3, "L1-000003"),
        )
        .unwrap();
        assert_eq!(x.difference(), yen(-800));
        assert_eq!(
            x.sale.tenders,
            vec![Tender::Exchange {
                amount: yen(2200),
                with: x.refund.id
            }]
        );
        assert_eq!(x.refund.total, yen(3000));
        assert_eq!(x.refund.tenders[0].amount(), yen(2200));
        // The ¥800 left goes back to the card that paid.
        assert!(
            matches!(&x.refund.tenders[1], Tender::Card { amount, last4, .. } if *amount == yen(800) && last4 == "4242")
        );
        assert_eq!(x.refund.verify(&store, Some(&sale), &[]), Ok(()));
        assert_eq!(x.sale.verify(&store), Ok(()));
        // One receipt: what came back and the money given back, then the new item.
        let mut opts = crate::receipt::ReceiptOptions::for_store(&store);
        opts.lang = crate::receipt::Lang::En;
        let blocks = crate::receipt::exchange_layout(
            crate::receipt::Returned {
                refund: &x.refund,
                from_receipt: "L1-000001",
            },
            &x.sale,
            &store,
            &opts,
        );
        let text = crate::receipt::to_html(&blocks);
        let at = |s: &str| text.find(s).unwrap_or_else(|| panic!("{s} not in {text}"));
        assert!(at("Returned (from receipt L1-000001)") < at("item shirt-l"));
        assert!(at("Returned total L1-000002") < at("Given back (VISA ****4242)"));
        assert!(at("item shirt-m") < at("item shirt-l"));
        // A second exchange of the same shirt is refused: it has already come back.
        assert!(matches!(
            Exchange::against(
                &store,
                &sale,
                std::slice::from_ref(&x.refund),
                order(),
                &cart_of(2200),
                vec![],
                ck(4, "L1-000004"),
                ck(5, "L1-000005"),
            ),
            Err(ExchangeError::Refund(RefundError::TooMany { .. }))
        ));
    }

    #[test]
    fn credit_cannot_be_made_up_or_spent_twice() {
        let store = StoreSettings::japan("s", "S");
        let sale = original(&store);
        let x = Exchange::against(
            &store,
            &sale,
            &[],
            order(),
            &cart_of(3000),
            vec![],
            ck(2, "L1-000002"),
            ck(3, "L1-000003"),
        )
        .unwrap();
        let credit = x.sale.tenders[0].clone();
        // No return behind it.
        assert!(check_credit(&x.sale, &credit, None).is_err());
        // The same return claimed by another sale.
        let mut other = x.sale.clone();
        other.id = Uuid::from_u128(99);
        assert!(check_credit(&other, &credit, Some(&x.refund)).is_err());
        // More credit than the return gave.
        let inflated = Tender::Exchange {
            amount: yen(3500),
            with: x.refund.id,
        };
        assert!(check_credit(&x.sale, &inflated, Some(&x.refund)).is_err());
        // A refund cannot apply more than it is worth.
        let mut forged = x.refund.clone();
        forged.order.to = RefundTo::Exchange {
            sale_id: x.sale.id,
            applied: yen(5000),
        };
        assert!(forged.verify(&store, Some(&sale), &[]).is_err());
        assert!(matches!(
            Exchange::against(
                &store,
                &sale,
                &[],
                order(),
                &Cart::default(),
                vec![],
                ck(2, "L1-000002"),
                ck(3, "L1-000003"),
            ),
            Err(ExchangeError::NothingNew)
        ));
    }
}
