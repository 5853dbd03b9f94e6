//! The Web Audio adapter: the till's two sounds. A scan the till cannot use buzzes low, so a
//! cashier looking at the customer hears that nothing was added.

use web_sys::{AudioContext, OscillatorType};

thread_local! {
    static CONTEXT: std::cell::RefCell<Option<AudioContext>> = const { std::cell::RefCell::new(None) };
}

fn tone(freq: f32, seconds: f64, kind: OscillatorType) {
    CONTEXT.with(|c| {
        let mut c = c.borrow_mut();
        if c.is_none() {
            *c = AudioContext::new().ok();
        }
        let Some(ctx) = c.as_ref() else {
            return;
        };
        let (Ok(osc), Ok(gain)) = (ctx.create_oscillator(), ctx.create_gain()) else {
            return;
        };
        osc.set_type(kind);
        osc.frequency().set_value(freq);
        gain.gain().set_value(0.15);
        let now = ctx.current_time();
        let _ = osc
            .connect_with_audio_node(&gain)
            .and_then(|_| gain.connect_with_audio_node(&ctx.destination()));
        let _ = osc.start_with_when(now);
        let _ = osc.stop_with_when(now + seconds);
    });
}

/// An unknown or unreadable code.
pub fn error() {
    tone(180.0, 0.35, OscillatorType::Square);
}
