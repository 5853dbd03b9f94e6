//! Every word the till shows, in one catalogue per language (`en.rs`, `ja.rs`).
//!
//! A string is named by a `Text` key; each language file is one exhaustive `match`, so a key
//! without a translation does not compile. Parameters are named (`{amount}`), because word order
//! differs between languages: the sentence moves, the names stay. The tests check that both
//! languages use the same names for every key.

mod en;
mod ja;

use serde::{Deserialize, Serialize};
use std::fmt::Display;

/// A language the till speaks. The store chooses one (its locale); a device may override it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    Ja,
    En,
}

impl Lang {
    /// The language of a BCP 47 tag or a store's locale ("ja", "ja-JP", "en-US"); English for
    /// anything the till does not speak yet.
    pub fn from_tag(tag: &str) -> Lang {
        let primary = tag.split(['-', '_']).next().unwrap_or("");
        if primary.eq_ignore_ascii_case("ja") {
            Lang::Ja
        } else {
            Lang::En
        }
    }

    /// The BCP 47 primary tag (`<html lang>` and the device setting).
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    /// The language's own name, as a picker shows it to someone who reads only that language.
    pub fn own_name(self) -> &'static str {
        match self {
            Lang::Ja => "日本語",
            Lang::En => "English",
        }
    }

    pub const ALL: [Lang; 2] = [Lang::Ja, Lang::En];
}

/// Declares the keys once: the enum and the list the tests walk.
macro_rules! keys {
    ($($key:ident),* $(,)?) => {
        /// One string of the catalogue.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Text {
            $($key),*
        }

        impl Text {
            /// Every key, for the catalogue's own tests.
            pub const ALL: &'static [Text] = &[$(Text::$key),*];
        }
    };
}

keys! {
    Cancel,
    Close,
    Save,
    Done,
    Back,
    Print,
    Reprint,
    Remove,
    Add,
    Reason,
    ManagerPin,
    Amount,
    Total,
    Subtotal,
    Cash,
    Card,
    GiftCard,
    Quantity,
    Price,
    SellNoProductCode,
    SellLabelNoCode,
    SellNoItemNumber,
    SellNothingMatches,
    SellScannerUnreadable,
    SellExchangeBanner,
    SellCancelExchange,
    SellPrinter,
    SellLane,
    SellReceipts,
    SellDevices,
    SellGiftCards,
    SellShift,
    SellOpenShift,
    SellRevoked,
    SellOffline,
    SellUpdateReady,
    SellSection,
    SellScanLabel,
    SellScanPlaceholder,
    SellResults,
    SellProducts,
    SellBadgeOnline,
    SellBadgeProblem,
    SellBadgeOffline,
    SellBadgeSynced,
    SellBadgeLoading,
    SellBadgeUnsynced,
    SellAllSynced,
    SellPairTitle,
    SellPairHelp,
    SellPairCode,
    SellPair,
    SellStorageUsed,
    SellStorageUnknown,
    SellStorageKept,
    SellStorageMayClear,
    SellStorage,
    SellRescueSaved,
    SellThisTill,
    SellRescueExport,
    SellCartActions,
    SellPark,
    SellVoidCart,
    SellVoidWhy,
    SellVoidReason,
    SellVoid,
    SellParked,
    SellCart,
    SellOneFewer,
    SellOneMore,
    SellChangePrice,
    SellDiscountLine,
    SellRemoveLine,
    SellPriceChanged,
    SellLineDiscountPercent,
    SellLineDiscountAmount,
    SellTaxLine,
    SellCartDiscountPercent,
    SellCartDiscountAmount,
    SellCartDiscount,
    SellTipAsAmount,
    SellTerminalAmount,
    SellGiftLeft,
    SellGiftLeftAfter,
    SellCashAmount,
    SellPayment,
    SellCashTendered,
    SellTip,
    SellNoTip,
    SellOtherTip,
    SellTipAmount,
    SellTipIs,
    SellBackToCustomer,
    SellDue,
    SellCompleteExchange,
    SellRemovePayment,
    SellCardOnTerminal,
    SellCardBrand,
    SellLast4,
    SellLast4Label,
    SellApproval,
    SellApprovalLabel,
    SellTerminalTook,
    SellAddCard,
    SellCardNumber,
    SellGiftNumber,
    SellGiftTake,
    SellPayWithGift,
    SellQrOnTerminal,
    SellWhichPayment,
    SellAddPayment,
    SellCompleteSale,
    SellExact,
    SellPayCash,
    SellPaidReceipt,
    SellChange,
    SellPrintCopy,
    SellPrintReceipt,
    SellNewSale,
    SellLanguage,
    SellLanguageOfStore,
    DevPoleDisplayError,
    DevGapNotWholeMs,
    DevTestPageJob,
    DevReceiptJob,
    DevTransportSerial,
    DevKindScanner,
    DevKindReceiptPrinter,
    DevKindPoleDisplay,
    DevKind,
    DevKindWithProduct,
    DevIsReady,
    DevDrawerOpenedNoSale,
    DevTitle,
    DevWedgeHint,
    DevPairUsbPrinter,
    DevPairSerialPrinter,
    DevPairHidScanner,
    DevPairSerialScanner,
    DevPairPoleDisplay,
    DevPairedDevices,
    DevNameOf,
    DevConnected,
    DevNotConnected,
    DevBaudRate,
    DevSavedBaud,
    DevFlowControl,
    DevSavedFlow,
    DevNoFlowControl,
    DevFlowHardware,
    DevScannerPrefix,
    DevScannerSuffix,
    DevPrefix,
    DevSuffix,
    DevSaved,
    DevPaper,
    DevPaperWidth,
    DevDrawerPin,
    DevDrawerOnPin,
    DevDrawerOnCash,
    DevTestPageSent,
    DevTestPrint,
    DevForget,
    DevKeyboardScanners,
    DevWedgeGap,
    DevWedgePrefix,
    DevWedgeSuffix,
    DevSavedWedge,
    DevCashDrawer,
    DevManagerPinForDrawer,
    DevOpenDrawerNoSale,
    DevReceiptPrinter,
    DevPrinterName,
    DevNoPrinter,
    DevPrintQueue,
    DevJobWaiting,
    DevJobPrinting,
    DevJobHeld,
    DevJobUnsure,
    DevItPrinted,
    DevPrintAgain,
    DevDontPrint,
    HistReceiptNotOnTill,
    HistReceipts,
    HistReceiptsToday,
    HistSearchPlaceholder,
    HistSearchLabel,
    HistReturnWithoutReceipt,
    HistCloseEsc,
    HistSent,
    HistWaitingToSend,
    HistItemTypeQuantity,
    HistNoReceiptNeedsPin,
    HistAllReceipts,
    HistReturnWithoutAReceipt,
    HistScanItemPlaceholder,
    HistItemToTakeBack,
    HistQtyToTakeBack,
    HistRemoveItem,
    HistReturnReason,
    HistPinApproveReturn,
    HistRefundInCash,
    HistRefundDoneCash,
    HistLineTypeQuantity,
    HistReturnItems,
    HistCanComeBack,
    HistQtyToReturn,
    HistPinApproveRefund,
    HistRefundToOriginal,
    HistExchangeForOtherItems,
    HistRefundDone,
    GiftLaneNotPaired,
    GiftTypeAmountToLoad,
    GiftTypeCashHandedOver,
    GiftCardHas,
    GiftLoaded,
    GiftCards,
    GiftCardNumberPlaceholder,
    GiftCardNumber,
    GiftCheckBalance,
    GiftSellOrTopUp,
    GiftAmountToLoad,
    GiftAmountToLoadLabel,
    GiftPaidBy,
    GiftCardOnTerminal,
    GiftCashHandedOver,
    GiftLast4,
    GiftLast4Label,
    GiftApprovalCode,
    GiftApprovalCodeLabel,
    GiftTakePaymentAndLoad,
    LaneNotPairedYet,
    LaneNotPaired,
    LanePaymentStartedFirst,
    LaneNoExchange,
    LanePaymentStarted,
    LaneExchangeBeforePark,
    LaneCartOnScreen,
    LaneExchangeFirst,
    LaneNoLongerParked,
    LaneVoidReason,
    LaneCartEmpty,
    LaneNoProductMatches,
    LaneShiftAlreadyOpen,
    LaneOpenShiftFirst,
    LaneNoShiftOpen,
    LaneNothingToExport,
    LaneWrongPin,
    LaneCannotApprove,
    LaneNoSaleNeedsPin,
    LaneTillNotPaired,
    LaneServerHoldsUpTo,
    LaneApiOffline,
    LaneApiUnreachable,
    LaneApiBadAnswer,
    LaneNoWindow,
    LaneDeviceUnsupported,
    LaneDeviceCancelled,
    LaneDeviceNotAllowed,
    LaneDeviceBusy,
    LaneDeviceGone,
    LaneFileSaveFailed,
    LaneFileReadFailed,
    LaneFileNoneChosen,
    LaneUnknownError,
    LaneNoDocument,
    LaneFileNotText,
    LaneStorageFull,
    LaneStorageUnavailable,
    LaneSavingFailed,
    LaneRecordNotPrepared,
    LaneRecordUnreadable,
    LaneRecordDamaged,
    LaneOutboxNoSeq,
    LaneOutboxUnreadable,
    ShiftPanelLabel,
    ShiftOpen,
    ShiftNoneOpen,
    ShiftPrintZReport,
    ShiftOpenCountFloat,
    ShiftOpenShift,
    ShiftXReport,
    ShiftZReport,
    ShiftCloseShift,
    ShiftPrintXReport,
    ShiftCountDrawer,
    ShiftBlindCountHint,
    ShiftTypeAmount,
    ShiftCashInOut,
    ShiftInOrOut,
    ShiftOutOfDrawer,
    ShiftIntoDrawer,
    ShiftRecord,
    ShiftCountWholeNumber,
    ShiftHowMany,
    ShiftCountedTotal,
    ShiftFloat,
    ShiftSalesCount,
    ShiftRefundsCount,
    ShiftGiftCardsSold,
    ShiftTips,
    ShiftCashFromSales,
    ShiftCashRefunded,
    ShiftCashForGiftCards,
    ShiftCashIn,
    ShiftCashOut,
    ShiftExpectedInDrawer,
    ShiftTaxRate,
    ShiftTaxOnTaxable,
    ShiftReportCounted,
    ShiftShort,
    ShiftOver,
    StaffSignIn,
    StaffTypePin,
    StaffPin,
    StaffCartWaiting,
    StaffLockTitle,
    StaffLockSwitch,
    StaffTypeNewPrice,
    StaffManagerPinBelow,
    StaffNewPrice,
    StaffNewUnitPrice,
    StaffOverrideReason,
    StaffManagerPinToApprove,
    StaffApprove,
    StaffChangePrice,
    DiscManagerPinBelow,
    DiscValuePlaceholder,
    DiscValueLabel,
    DiscManagerPinToApprove,
    DiscApply,
    DisplayPaid,
    DisplayChange,
    SellPriceButton,
// @keys
}

impl Text {
    /// The string in `lang`, parameters still as `{name}`.
    pub fn get(self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => en::text(self),
            Lang::Ja => ja::text(self),
        }
    }

    /// The string in `lang` with its parameters filled in.
    pub fn fill(self, lang: Lang, args: &[(&str, &dyn Display)]) -> String {
        fill(self.get(lang), args)
    }
}

/// Replaces each `{name}` in `template` with its argument. A name without an argument stays as
/// written (visible in a test, never a panic); `{{` and `}}` are literal braces.
pub fn fill(template: &str, args: &[(&str, &dyn Display)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        if let (true, Some(end)) = (tail.starts_with('{'), tail.find('}')) {
            let name = &tail[1..end];
            match args.iter().find(|(n, _)| *n == name) {
                Some((_, value)) => out.push_str(&value.to_string()),
                None => out.push_str(&tail[..=end]),
            }
            rest = &tail[end + 1..];
        } else {
            out.push_str(&tail[..1]);
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

/// The parameter names of a template, sorted, for comparing languages.
#[cfg(test)]
fn params(template: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        let tail = &rest[i..];
        if tail.starts_with("{{") {
            rest = &tail[2..];
            continue;
        }
        match tail.find('}') {
            Some(end) => {
                names.push(&tail[1..end]);
                rest = &tail[end + 1..];
            }
            None => break,
        }
    }
    names.sort_unstable();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_the_same_parameters_in_every_language() {
        for key in Text::ALL {
            let en = params(key.get(Lang::En));
            for lang in Lang::ALL {
                assert_eq!(params(key.get(lang)), en, "{key:?} in {lang:?}");
            }
        }
    }

    #[test]
    fn no_string_is_empty_or_padded() {
        for key in Text::ALL {
            for lang in Lang::ALL {
                let s = key.get(lang);
                assert!(!s.trim().is_empty(), "{key:?} in {lang:?} is empty");
                assert_eq!(s.trim(), s, "{key:?} in {lang:?} has outer spaces");
            }
        }
    }

    #[test]
    fn japanese_is_written_in_japanese() {
        // A key left in English in ja.rs is a missed translation. Short codes and names of
        // devices are the same in both (F3, PIN, USB): those have no letters a-z in lower case
        // outside a parameter.
        for key in Text::ALL {
            let ja = key.get(Lang::Ja);
            let japanese = ja
                .chars()
                .any(|c| matches!(c, '\u{3040}'..='\u{30ff}' | '\u{4e00}'..='\u{9fff}'));
            let mut words = fill(ja, &[]);
            for p in params(ja) {
                words = words.replace(&format!("{{{p}}}"), "");
            }
            let english_word = words
                .split(|c: char| !c.is_ascii_alphabetic())
                .any(|w| w.len() > 3 && w.chars().any(|c| c.is_ascii_lowercase()));
            assert!(japanese || !english_word, "{key:?} is not translated: {ja}");
        }
    }

    #[test]
    fn fill_puts_arguments_where_the_language_wants_them() {
        assert_eq!(fill("Lane {code}", &[("code", &"A1")]), "Lane A1");
        assert_eq!(
            fill("{n} 点 · {total}", &[("total", &"¥500"), ("n", &3)]),
            "3 点 · ¥500"
        );
        assert_eq!(fill("{missing} stays", &[]), "{missing} stays");
        assert_eq!(fill("{{literal}} and {", &[]), "{literal} and {");
        assert_eq!(fill("a } b", &[]), "a } b");
    }

    #[test]
    fn a_locale_picks_its_language() {
        assert_eq!(Lang::from_tag("ja-JP"), Lang::Ja);
        assert_eq!(Lang::from_tag("JA"), Lang::Ja);
        assert_eq!(Lang::from_tag("en-US"), Lang::En);
        assert_eq!(Lang::from_tag("fr"), Lang::En);
        assert_eq!(Lang::from_tag(""), Lang::En);
    }
}
