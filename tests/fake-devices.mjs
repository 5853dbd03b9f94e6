// Devices on a test bench: WebSerial, WebHID and WebUSB as Chromium exposes them, with a receipt
// printer that interprets ESC/POS the way an Epson-compatible thermal printer does, a HID POS
// scanner that reports like a Honeywell one, and a serial scanner. Injected into the page with
// `context.addInitScript(fakeDevices)` before the app loads; the app cannot tell them from
// hardware, so what the tests check is what a shop would see on paper.
//
// Control from the test through `window.__fake`:
//   __fake.choose(id)        the device the next browser chooser returns (none: the cashier cancels)
//   __fake.printer(id)       a printer: .pages (text of each cut page), .drawer (pulses), .paper,
//                            .lostBytes (anything sent while it could not print), .errors
//   __fake.pole(id)          the two lines a pole display shows
//   __fake.hidScan(id, text) a scan on the HID scanner; __fake.serialScan(id, text) on the serial one
// Which devices the page may use outlives a reload (localStorage), as the browser's permission does.

/** Runs in the page. Everything it needs is inside it. */
export function fakeDevices() {
  const GRANTED = '__fake_granted';
  const granted = new Set(JSON.parse(localStorage.getItem(GRANTED) || '[]'));
  const saveGrants = () => localStorage.setItem(GRANTED, JSON.stringify([...granted]));
  let chosen = null;

  /** A thermal printer: ESC/POS in, lines of paper out, DLE EOT answered. */
  class Printer {
    constructor(answer) {
      this.answer = answer;
      this.paper = true;
      this.coverOpen = false;
      this.pages = [];
      this.lines = [];
      this.cur = [];
      this.pending = [];
      this.drawer = 0;
      this.lostBytes = 0;
      this.errors = [];
      this.sjis = false;
      this.kanji = false;
      this.intl = 0;
      this.events = [];
    }
    canPrint() { return this.paper && !this.coverOpen; }
    status(n) {
      const out = !this.paper;
      switch (n) {
        case 1: return 0x12 | (out || this.coverOpen ? 0x08 : 0);
        case 2: return 0x12 | (this.coverOpen ? 0x04 : 0) | (out ? 0x20 : 0);
        case 3: return 0x12;
        case 4: return 0x12 | (out ? 0x60 : 0);
        default: return null;
      }
    }
    decode(bytes) {
      let text;
      if (this.sjis || this.kanji) text = new TextDecoder('shift_jis').decode(new Uint8Array(bytes));
      else {
        // Code page 858 for what English receipts use beyond ASCII.
        const cp858 = { 0x9C: '£', 0xD5: '€', 0x9D: 'Ø', 0xF8: '°' };
        text = bytes.map((b) => (b < 0x80 ? String.fromCharCode(b) : cp858[b] ?? '?')).join('');
      }
      // The Japan international character set (ESC R 8) prints a single byte 0x5C as ¥.
      return this.intl === 8 ? text.replaceAll('\\', '¥') : text;
    }
    newline() {
      this.lines.push(this.decode(this.cur));
      this.cur = [];
    }
    cut() {
      if (this.cur.length) this.newline();
      this.pages.push(this.lines.join('\n'));
      this.lines = [];
      this.events.push('cut');
    }
    write(bytes) {
      for (const b of bytes) this.pending.push(b);
      this.parse();
    }
    parse() {
      const b = this.pending;
      let i = 0;
      const has = (n) => i + n <= b.length;
      // Real-time status requests are answered even when the printer cannot print; anything
      // else sent then is lost (the printer's buffer is not a queue the till can rely on).
      outer: while (i < b.length) {
        const c = b[i];
        if (c === 0x10 && b[i + 1] === 0x14) {
          // DLE DC4 1 m t: a real-time drawer pulse, executed even with the paper out.
          if (!has(5)) break;
          if (b[i + 2] === 1) { this.drawer++; this.events.push('drawer'); } else this.errors.push(`DLE DC4 ${b[i + 2]}`);
          i += 5;
          continue;
        }
        if (c === 0x10) {
          if (!has(3)) break;
          if (b[i + 1] === 0x04) {
            const s = this.status(b[i + 2]);
            if (s !== null) this.answer(s);
          } else this.errors.push(`DLE ${b[i + 1]}`);
          i += 3;
          continue;
        }
        if (!this.canPrint()) {
          this.lostBytes++;
          i++;
          continue;
        }
        if (c === 0x0A) { this.newline(); i++; continue; }
        if (c === 0x1B) {
          if (!has(2)) break;
          const f = String.fromCharCode(b[i + 1]);
          if (f === '@') { this.sjis = false; this.kanji = false; this.intl = 0; i += 2; continue; }
          if ('RtMEa-!'.includes(f)) {
            if (!has(3)) break;
            if (f === 'R') this.intl = b[i + 2];
            i += 3;
            continue;
          }
          if (f === 'd') {
            if (!has(3)) break;
            if (this.cur.length) this.newline();
            for (let k = 0; k < b[i + 2]; k++) this.lines.push('');
            i += 3;
            continue;
          }
          if (f === 'p') {
            if (!has(5)) break;
            this.drawer++;
            this.events.push('drawer');
            i += 5;
            continue;
          }
          this.errors.push(`ESC ${f}`);
          i += 2;
          continue;
        }
        if (c === 0x1C) {
          if (!has(2)) break;
          const f = String.fromCharCode(b[i + 1]);
          if (f === '&') { this.kanji = true; i += 2; continue; }
          if (f === '.') { this.kanji = false; i += 2; continue; }
          if (f === 'C') { if (!has(3)) break; this.sjis = b[i + 2] === 1; i += 3; continue; }
          this.errors.push(`FS ${f}`);
          i += 2;
          continue;
        }
        if (c === 0x1D) {
          if (!has(2)) break;
          const f = String.fromCharCode(b[i + 1]);
          if ('B!hwHf'.includes(f)) { if (!has(3)) break; i += 3; continue; }
          if (f === 'V') {
            if (!has(3)) break;
            const m = b[i + 2];
            if (m >= 65) { if (!has(4)) break; i += 4; } else i += 3;
            this.cut();
            continue;
          }
          if (f === 'k') {
            if (!has(3)) break;
            const m = b[i + 2];
            if (m >= 65) {
              if (!has(4)) break;
              const n = b[i + 3];
              if (!has(4 + n)) break;
              let data = String.fromCharCode(...b.slice(i + 4, i + 4 + n));
              // CODE128 data starts with its code set ({A, {B, {C); "{{" is a literal brace.
              if (m === 73) data = data.replace(/^\{[ABC]/, '').replace(/\{([ABC])/g, '').replaceAll('{{', '{');
              this.lines.push(`[barcode ${data}]`);
              i += 4 + n;
            } else {
              const end = b.indexOf(0, i + 3);
              if (end < 0) break;
              this.lines.push(`[barcode ${String.fromCharCode(...b.slice(i + 3, end))}]`);
              i = end + 1;
            }
            continue;
          }
          if (f === '(') {
            if (!has(5)) break;
            const len = b[i + 3] + b[i + 4] * 256;
            if (!has(5 + len)) break;
            if (b[i + 2] === 0x6B && b[i + 6] === 81) this.lines.push('[qr]');
            i += 5 + len;
            continue;
          }
          if (f === 'v') {
            if (!has(8)) break;
            const size = (b[i + 4] + b[i + 5] * 256) * (b[i + 6] + b[i + 7] * 256);
            if (!has(8 + size)) break;
            this.lines.push('[image]');
            i += 8 + size;
            continue;
          }
          this.errors.push(`GS ${f}`);
          i += 2;
          continue;
        }
        if (c < 0x20 && c !== 0x0D) {
          this.errors.push(`byte ${c}`);
          i++;
          continue;
        }
        if (c !== 0x0D) this.cur.push(c);
        i++;
        continue outer;
      }
      this.pending = b.slice(i);
    }
  }

  /** A 2×20 VFD pole display (ESC/POS customer-display commands). */
  class Vfd {
    constructor() { this.reset(); this.errors = []; this.writes = 0; }
    reset() { this.rows = [Array(20).fill(' '), Array(20).fill(' ')]; this.x = 0; this.y = 0; this.table = 0; }
    char(b) {
      if (this.table === 1) {
        if (b === 0x5c) return '¥';
        if (b >= 0xa1 && b <= 0xdf) return String.fromCharCode(0xff61 + b - 0xa1);
      } else {
        const cp437 = { 0x9c: '£', 0x9d: '¥', 0x82: 'é', 0x81: 'ü', 0x84: 'ä', 0x94: 'ö', 0xa4: 'ñ' };
        if (cp437[b]) return cp437[b];
      }
      return b < 0x80 ? String.fromCharCode(b) : '?';
    }
    write(bytes) {
      this.writes++;
      for (let i = 0; i < bytes.length; i++) {
        const b = bytes[i];
        if (b === 0x1b && bytes[i + 1] === 0x40) { this.reset(); i += 1; }
        else if (b === 0x1b && bytes[i + 1] === 0x74) { this.table = bytes[i + 2]; i += 2; }
        else if (b === 0x1f && bytes[i + 1] === 0x01) { i += 1; }
        else if (b === 0x1f && bytes[i + 1] === 0x24) { this.x = bytes[i + 2] - 1; this.y = bytes[i + 3] - 1; i += 3; }
        else if (b === 0x0b) { this.x = 0; this.y = 0; }
        else if (b === 0x0c) { this.rows = [Array(20).fill(' '), Array(20).fill(' ')]; this.x = 0; this.y = 0; }
        else if (b < 0x20) this.errors.push(b);
        else {
          if (this.x >= 20) { this.x = 0; this.y = (this.y + 1) % 2; }
          this.rows[this.y][this.x++] = this.char(b);
        }
      }
    }
    text() { return this.rows.map((r) => r.join('')); }
  }

  const printers = {};
  const poles = {};
  const domError = (name, message) => new DOMException(message, name);

  /** A WebSerial port: a printer's or a scanner's. */
  class FakePort extends EventTarget {
    constructor(id, info, kind) {
      super();
      this.id = id;
      this._info = info;
      this.kind = kind;
      this.readable = null;
      this.writable = null;
      this.opened = null;
      if (kind === 'printer') printers[id] = new Printer((byte) => this._send([byte]));
      if (kind === 'pole') poles[id] = new Vfd();
    }
    getInfo() { return { ...this._info }; }
    async open(options) {
      if (this.readable) throw domError('InvalidStateError', 'The port is already open.');
      if (!options || !options.baudRate) throw new TypeError('baudRate is required');
      this.opened = options;
      this.readable = new ReadableStream({ start: (c) => { this._ctl = c; } });
      this.writable = new WritableStream({
        write: (chunk) => {
          if (this.kind === 'printer') printers[this.id].write(Array.from(chunk));
          if (this.kind === 'pole') poles[this.id].write(Array.from(chunk));
        },
      });
    }
    _send(bytes) { this._ctl?.enqueue(new Uint8Array(bytes)); }
    async close() {
      if (this.readable?.locked || this.writable?.locked) throw domError('InvalidStateError', 'Cannot close a locked stream');
      this.readable = null;
      this.writable = null;
      this._ctl = null;
    }
    async forget() {
      this.readable = null;
      this.writable = null;
      granted.delete(this.id);
      saveGrants();
    }
  }

  /** A HID POS scanner with a Honeywell-like barcode report (id 2, 63 bytes). */
  class FakeHid extends EventTarget {
    constructor(id) {
      super();
      this.id = id;
      this.vendorId = 0x0c2e;
      this.productId = 0x0b87;
      this.productName = 'Honeywell Voyager 1450g';
      this.opened = false;
      const item = (usages, reportSize, reportCount) => ({ usages, reportSize, reportCount, isRange: false });
      this.collections = [{
        usagePage: 0x8c, usage: 0x02, type: 1, children: [], outputReports: [], featureReports: [],
        inputReports: [{
          reportId: 2,
          items: [
            item([0xff660001], 8, 1), item([0x008c00fb], 8, 1), item([0x008c00fc], 8, 1), item([0x008c00fd], 8, 1),
            item([0x008c00fe], 8, 56), item([0xff660002], 8, 2), item([0x008c00ff], 1, 1), item([], 7, 1),
          ],
        }],
      }];
    }
    async open() { this.opened = true; }
    async close() { this.opened = false; }
    async forget() { this.opened = false; granted.delete(this.id); saveGrants(); }
    scan(text, aim) {
      if (!this.opened) return false;
      const data = new TextEncoder().encode(text);
      for (let at = 0; at < data.length || at === 0; at += 56) {
        const part = data.slice(at, at + 56);
        const r = new Uint8Array(63);
        r[0] = part.length;
        r.set(new TextEncoder().encode(aim), 1);
        r.set(part, 4);
        r[62] = at + 56 < data.length ? 1 : 0;
        const ev = new Event('inputreport');
        Object.assign(ev, { reportId: 2, data: new DataView(r.buffer), device: this });
        this.dispatchEvent(ev);
        if (data.length === 0) break;
      }
      return true;
    }
  }

  /** A USB printer-class device with bulk OUT (1) and bulk IN (2) endpoints. */
  class FakeUsb extends EventTarget {
    constructor(id) {
      super();
      this.id = id;
      this.vendorId = 0x0519;
      this.productId = 0x0003;
      this.productName = 'TSP143IIIU';
      this.serialNumber = 'SN-2231';
      this.opened = false;
      this.configuration = null;
      this.claimed = new Set();
      this._in = [];
      this._waiting = [];
      printers[id] = new Printer((byte) => {
        this._in.push(byte);
        this._deliver();
      });
    }
    _config() {
      const ep = (endpointNumber, direction) => ({ endpointNumber, direction, type: 'bulk', packetSize: 64 });
      return {
        configurationValue: 1,
        interfaces: [{ interfaceNumber: 0, claimed: false, alternates: [{ alternateSetting: 0, interfaceClass: 7, interfaceSubclass: 1, interfaceProtocol: 2, endpoints: [ep(1, 'out'), ep(2, 'in')] }] }],
      };
    }
    get configurations() { return [this._config()]; }
    async open() { this.opened = true; }
    async close() { this.opened = false; this.claimed.clear(); }
    async forget() { this.opened = false; granted.delete(this.id); saveGrants(); }
    async selectConfiguration(n) {
      if (!this.opened) throw domError('InvalidStateError', 'The device must be opened first.');
      if (n !== 1) throw domError('NotFoundError', 'The configuration value provided is not supported by the device.');
      this.configuration = this._config();
    }
    async claimInterface(n) {
      if (!this.configuration) throw domError('InvalidStateError', 'The device must have a configuration selected.');
      if (n !== 0) throw domError('NotFoundError', 'The interface number provided is not supported by the device in its current configuration.');
      this.claimed.add(n);
    }
    async transferOut(ep, data) {
      if (!this.claimed.has(0)) throw domError('InvalidStateError', 'The specified endpoint is not part of a claimed and selected alternate interface.');
      if (ep !== 1) throw domError('NotFoundError', 'The specified endpoint number is out of range.');
      const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      printers[this.id].write(Array.from(bytes));
      return { status: 'ok', bytesWritten: bytes.length };
    }
    transferIn(ep, length) {
      if (ep !== 2) return Promise.reject(domError('NotFoundError', 'The specified endpoint number is out of range.'));
      return new Promise((resolve) => {
        this._waiting.push({ resolve, length });
        this._deliver();
      });
    }
    _deliver() {
      while (this._in.length && this._waiting.length) {
        const { resolve, length } = this._waiting.shift();
        const bytes = new Uint8Array(this._in.splice(0, length));
        resolve({ status: 'ok', data: new DataView(bytes.buffer) });
      }
    }
  }

  const all = {
    sp: new FakePort('sp', { usbVendorId: 0x04b8, usbProductId: 0x0e15 }, 'printer'),
    ss: new FakePort('ss', { usbVendorId: 0x05e0, usbProductId: 0x1701 }, 'scanner'),
    pd: new FakePort('pd', { usbVendorId: 0x067b, usbProductId: 0x2303 }, 'pole'),
    hs: new FakeHid('hs'),
    up: new FakeUsb('up'),
  };
  const grantedOf = (cls) => Object.values(all).filter((d) => d instanceof cls && granted.has(d.id));
  const pick = (cls) => {
    const d = chosen && all[chosen];
    chosen = null;
    if (!(d instanceof cls)) throw domError('NotFoundError', 'No port selected by the user.');
    granted.add(d.id);
    saveGrants();
    return d;
  };

  const define = (name, api) => Object.defineProperty(Navigator.prototype, name, { get: () => api, configurable: true });
  define('serial', Object.assign(new EventTarget(), {
    requestPort: async () => pick(FakePort),
    getPorts: async () => grantedOf(FakePort),
  }));
  define('hid', Object.assign(new EventTarget(), {
    requestDevice: async (opts) => {
      if (!opts || !Array.isArray(opts.filters)) throw new TypeError('filters is required');
      return [pick(FakeHid)];
    },
    getDevices: async () => grantedOf(FakeHid),
  }));
  define('usb', Object.assign(new EventTarget(), {
    requestDevice: async (opts) => {
      if (!opts || !Array.isArray(opts.filters)) throw new TypeError('filters is required');
      return pick(FakeUsb);
    },
    getDevices: async () => grantedOf(FakeUsb),
  }));

  window.__fake = {
    choose: (id) => { chosen = id; },
    printer: (id) => printers[id],
    pole: (id) => poles[id].text(),
    port: (id) => all[id],
    hidScan: (id, text, aim = ']E0') => all[id].scan(text, aim),
    serialScan: (id, text) => {
      const port = all[id];
      if (!port._ctl) return false;
      // A scanner's line can arrive in pieces: split it to prove the till frames lines itself.
      const bytes = new TextEncoder().encode(`${text}\r\n`);
      const half = bytes.length >> 1;
      port._send(bytes.slice(0, half));
      setTimeout(() => port._send(bytes.slice(half)), 20);
      return true;
    },
  };
}
