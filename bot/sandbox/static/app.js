// 公示通 sandbox chat page. Talks only to this sandbox's /_control API; no libraries.
"use strict";

const $ = (id) => document.getElementById(id);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function api(path, options) {
  const response = await fetch("/_control/" + path, options);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error || response.statusText);
  return body;
}
const send = (path, body, method = "POST") =>
  api(path, { method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });

// A tiny element builder: text goes in as text, never as HTML.
function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

const S = {
  state: null, // /_control/state
  selected: null, // {kind: "persona"|"channel", id}
  view: null, // the open chat (/_control/chats/ID) or channel posts
  viewVersion: -1,
  version: 0,
  nodes: new Map(), // message key -> {node, signature}
  answersSeen: new Map(), // chat id -> callback answers already shown
  seen: JSON.parse(localStorage.getItem("sandbox.seen") || "{}"), // chat id -> bot messages read
  pressed: new Map(), // "chat:message" -> time a button was pressed
};

// ---- small helpers ---------------------------------------------------------------------
const avatarClass = (id) => "av" + (Math.abs(Number(id)) % 7);
const initial = (name) => (name || "?").trim().charAt(0).toUpperCase();
const persona = (id) => S.state && S.state.personas.find((p) => p.id === id);
const channel = (id) => S.state && S.state.chats.find((c) => c.id === id);
const pad = (n) => String(n).padStart(2, "0");
function clock(unix) {
  const d = new Date(unix * 1000);
  return pad(d.getHours()) + ":" + pad(d.getMinutes());
}
function dayLabel(unix) {
  const d = new Date(unix * 1000);
  const today = new Date();
  const key = (x) => x.toDateString();
  if (key(d) === key(today)) return "今天 / Today";
  const yesterday = new Date(today.getTime() - 86400000);
  if (key(d) === key(yesterday)) return "昨天 / Yesterday";
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
function sizeLabel(bytes) {
  if (bytes < 1024) return bytes + " B";
  if (bytes < 1048576) return (bytes / 1024).toFixed(1) + " KB";
  return (bytes / 1048576).toFixed(1) + " MB";
}
function roleBadge(role) {
  const labels = (S.state && S.state.roles[role]) || { zh: role, en: role };
  return h("span", { class: `badge role-${role}`, title: labels.en }, labels.zh);
}
let toastTimer = null;
function toast(text, ms = 2600) {
  const el = $("toast");
  el.textContent = text;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.hidden = true), ms);
}
function alertBox(text) {
  $("alert-text").textContent = text;
  $("alert-dialog").showModal();
}
function saveSeen() {
  localStorage.setItem("sandbox.seen", JSON.stringify(S.seen));
}

// A t.me link to this bot opens in the sandbox as "/start <payload>", as Telegram opens it.
function deepLink(href) {
  const bot = S.state && S.state.bot.username;
  const m = /^(?:https?:\/\/)?(?:t\.me|telegram\.me)\/([A-Za-z0-9_]+)\?start=([A-Za-z0-9_-]+)/.exec(href || "");
  if (m && bot && m[1].toLowerCase() === bot.toLowerCase()) return m[2];
  return null;
}

// ---- text with Telegram entities (offsets are UTF-16 units, like JS string indices) -----
function renderText(text, entities, fromBot) {
  const list = (entities || []).filter((e) => e.length > 0)
    .slice().sort((a, b) => a.offset - b.offset || b.length - a.length);
  const build = (start, end, items) => {
    const frag = document.createDocumentFragment();
    let pos = start;
    for (let i = 0; i < items.length; i++) {
      const e = items[i];
      if (e.offset < pos) continue; // overlapping entities are not nested by Telegram either
      frag.append(plain(text.slice(pos, e.offset), fromBot));
      const stop = e.offset + e.length;
      const inner = items.filter((x) => x !== e && x.offset >= e.offset && x.offset + x.length <= stop);
      frag.append(wrap(e, build(e.offset, stop, inner), text.slice(e.offset, stop)));
      pos = stop;
    }
    frag.append(plain(text.slice(pos, end), fromBot));
    return frag;
  };
  return build(0, text.length, list);
}

function link(href, child) {
  return h("a", {
    href, target: "_blank", rel: "noopener noreferrer",
    onclick: (event) => {
      const payload = deepLink(href);
      if (payload !== null) {
        event.preventDefault();
        sendText("/start " + payload);
        toast("已在沙盒中打开深度链接 / opened the deep link in the sandbox");
      }
    },
  }, child);
}

function wrap(entity, child, raw) {
  switch (entity.type) {
    case "bold": return h("b", {}, child);
    case "italic": return h("i", {}, child);
    case "underline": return h("u", {}, child);
    case "strikethrough": return h("s", {}, child);
    case "code": return h("code", {}, child);
    case "pre": return h("pre", {}, child);
    case "blockquote": case "expandable_blockquote": return h("blockquote", {}, child);
    case "spoiler": return h("span", { class: "spoiler", onclick: (e) => e.currentTarget.classList.add("shown") }, child);
    case "text_link": return link(entity.url, child);
    case "url": return link(/^https?:/.test(raw) ? raw : "https://" + raw, child);
    case "bot_command": return h("span", { class: "command", onclick: () => sendText(raw) }, child);
    default: return h("span", {}, child);
  }
}

// Plain runs: links and /commands become clickable, as in Telegram's apps.
function plain(segment, fromBot) {
  const frag = document.createDocumentFragment();
  if (!segment) return frag;
  const pattern = /(https?:\/\/[^\s<>"]+|t\.me\/[^\s<>"]+)|(^|\s)(\/[a-z0-9_]{1,32})(?=\s|$|[，。,.!?！？])/gi;
  let last = 0;
  let m;
  while ((m = pattern.exec(segment))) {
    if (m[1]) {
      frag.append(segment.slice(last, m.index), link(/^https?:/.test(m[1]) ? m[1] : "https://" + m[1], m[1]));
      last = m.index + m[1].length;
    } else if (fromBot) {
      const at = m.index + m[2].length;
      const cmd = m[3];
      frag.append(segment.slice(last, at), h("span", { class: "command", onclick: () => sendText(cmd) }, cmd));
      last = at + cmd.length;
    }
  }
  frag.append(segment.slice(last));
  return frag;
}

// ---- one message bubble ----------------------------------------------------------------------
function fileUrl(fileId, download) {
  return "/_control/files/" + encodeURIComponent(fileId) + (download ? "?download=1" : "");
}

function messageNode(m, options) {
  const fromBot = m.from_bot;
  const content = [];
  if (options.channelTitle) content.push(h("div", { class: "channel-name" }, options.channelTitle));
  if (m.deleted) {
    content.push(h("div", { class: "text" },
      fromBot ? "🗑 此消息已被机器人删除 / deleted by the bot" : "🗑 消息已删除 / message deleted"));
  } else {
    if (m.photo && m.photo.length) {
      const big = m.photo[m.photo.length - 1];
      content.push(h("a", { href: fileUrl(big.file_id), target: "_blank" },
        h("img", { class: "photo", src: fileUrl(big.file_id), alt: "照片 / photo", onload: keepAtBottom })));
    }
    if (m.document) {
      const d = m.document;
      const ext = ((d.file_name || "").split(".").pop() || "file").slice(0, 4);
      content.push(h("div", { class: "doc" },
        h("a", { class: "doc-icon", href: fileUrl(d.file_id, true), title: "下载 / Download" }, ext),
        h("div", {},
          h("div", { class: "doc-name" }, h("a", { href: fileUrl(d.file_id, true) }, d.file_name || "file")),
          h("div", { class: "doc-size" }, sizeLabel(d.file_size || 0), " · 下载 / download"))));
    }
    if (m.contact) {
      const c = m.contact;
      content.push(h("div", { class: "contact" },
        h("div", { class: `avatar ${avatarClass(c.user_id || 1)}` }, initial(c.first_name)),
        h("div", {}, h("div", { class: "doc-name" }, [c.first_name, c.last_name].filter(Boolean).join(" ")),
          h("div", { class: "doc-size" }, "📱 ", c.phone_number))));
    }
    if (m.text) content.push(h("div", { class: "text" }, renderText(m.text, m.entities, fromBot)));
    if (m.protect_content && options.channelTitle) {
      content.push(h("div", { class: "protected-note" }, "🔒 受保护：禁止转发和保存 / protected: no forwarding or saving"));
    }
  }
  const meta = h("span", { class: "meta" },
    m.protect_content && !options.channelTitle
      ? h("span", { class: "lock", title: "禁止转发 / protected content" }, "🔒") : null,
    m.edited && !m.deleted ? h("span", { class: "edited-tag" }, "已编辑 edited") : null,
    clock(m.edit_date || m.date));
  const bubble = h("div", { class: "bubble" }, content, meta);
  const keys = !m.deleted && m.message.reply_markup && m.message.reply_markup.inline_keyboard;
  const node = h("div", {
    class: `msg ${fromBot ? "in" : "out"}${m.deleted ? " deleted" : ""}${options.channelTitle ? " post" : ""}`,
    "data-id": m.message_id,
  }, bubble, keys ? inlineKeyboard(m, keys, options) : null);
  return node;
}

function inlineKeyboard(m, rows, options) {
  return h("div", { class: "keys" }, rows.map((row) => h("div", { class: "key-row" }, row.map((button) => {
    let kind = null;
    let onclick = () => press(m, button);
    if (button.url) { kind = "↗"; onclick = () => openUrl(button.url); }
    else if (!("callback_data" in button)) { kind = "·"; onclick = () => toast("沙盒不支持此按钮 / not supported in the sandbox"); }
    if (options.channelTitle && "callback_data" in button) {
      onclick = () => toast("频道里的按钮请在真实 Telegram 中试 / channel buttons are not simulated");
    }
    const pending = S.pressed.get(`${m.chat_id}:${m.message_id}:${button.callback_data}`);
    return h("button", {
      class: "key" + (pending && Date.now() - pending < 4000 ? " pending" : ""),
      type: "button", title: button.callback_data ? "callback_data: " + button.callback_data : button.url || "",
      onclick,
    }, button.text, kind ? h("span", { class: "kind" }, kind) : null);
  }))));
}

function openUrl(url) {
  const payload = deepLink(url);
  if (payload !== null) sendText("/start " + payload);
  else window.open(url, "_blank", "noopener");
}

// ---- rendering the open chat -------------------------------------------------------------
function renderMessages(messages, options) {
  const box = $("messages");
  const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 120;
  const wanted = [];
  let lastDay = null;
  messages.forEach((m, i) => {
    const day = dayLabel(m.date);
    if (day !== lastDay) {
      lastDay = day;
      wanted.push(["day:" + day, day, () => h("div", { class: "day" }, day)]);
    }
    const pending = [...S.pressed.keys()].some((k) => k.startsWith(`${m.chat_id}:${m.message_id}:`));
    const signature = JSON.stringify([m.text, m.entities, m.reply_markup, m.deleted, m.edits, m.document, m.photo,
      m.contact, pending, options.channelTitle || ""]);
    wanted.push(["m:" + m.message_id, signature, () => messageNode(m, options), messages[i + 1]]);
  });
  const fresh = new Map();
  const nodes = wanted.map(([key, signature, make]) => {
    const old = S.nodes.get(key);
    const node = old && old.signature === signature ? old.node : make();
    fresh.set(key, { node, signature });
    return node;
  });
  // Group tails: only the last bubble of a run from one side gets the little tail.
  wanted.forEach(([key, , , next], i) => {
    if (!key.startsWith("m:")) return;
    const node = nodes[i];
    const here = node.classList.contains("in");
    const nextNode = nodes[i + 1];
    const tail = !next || !nextNode || !nextNode.classList.contains("msg") || nextNode.classList.contains("in") !== here;
    node.classList.toggle("tail", tail);
  });
  if (!messages.length) {
    box.replaceChildren(options.empty);
  } else {
    if (box.firstChild && box.firstChild.classList && box.firstChild.classList.contains("empty")) box.replaceChildren();
    nodes.forEach((node, i) => {
      if (box.children[i] !== node) box.insertBefore(node, box.children[i] || null);
    });
    while (box.children.length > nodes.length) box.lastChild.remove();
  }
  S.nodes = fresh;
  if (nearBottom || options.scroll) box.scrollTop = box.scrollHeight;
  S.atBottom = nearBottom || options.scroll;
}

// Images load after layout; a reader at the bottom stays at the bottom.
function keepAtBottom() {
  if (S.atBottom) $("messages").scrollTop = $("messages").scrollHeight;
}

function emptyChat() {
  const online = S.state && S.state.online;
  return h("div", { class: "empty" },
    h("h3", {}, "👋 这是你与机器人「" + S.state.bot.first_name + "」的对话"),
    h("p", {}, "This is your chat with the bot. 点下方“开始”，或输入 /start。 Press START below or type /start."),
    online ? null : h("p", {}, "⚠️ 机器人还没有连接到沙盒，消息会排队等它上线。/ The bot is not connected yet; messages wait for it."));
}

function renderChat(view) {
  const p = persona(view.chat.id);
  const bot = S.state.bot;
  $("head-avatar").className = "avatar bot-avatar";
  $("head-avatar").textContent = initial(bot.first_name);
  $("head-name").textContent = bot.first_name;
  const online = S.state.online;
  $("head-sub").textContent = "机器人 / bot · @" + bot.username + " · " + (online ? "在线 online" : "未连接 not connected");
  $("head-sub").className = "conv-sub" + (online ? " online" : "");
  $("acting-as").replaceChildren(...(p ? [
    h("span", { class: "who" }, "我是 / I am"),
    h("span", { class: `avatar ${avatarClass(p.id)}` }, initial(p.first_name)),
    h("b", {}, p.first_name), roleBadge(p.role),
  ] : []));
  $("composer-wrap").hidden = false;
  $("channel-foot").hidden = true;
  const fresh = !view.messages.length;
  $("composer").hidden = fresh;
  $("start-bar").hidden = !fresh;
  settlePresses(view);
  renderReplyKeyboard(view); // first: it takes height from the messages pane
  renderMessages(view.messages, { empty: emptyChat() });
  showAnswers(view);
  const botCount = view.messages.filter((m) => m.from_bot).length;
  if (S.seen[view.chat.id] !== botCount) {
    S.seen[view.chat.id] = botCount;
    saveSeen();
  }
}

// A press is settled once the bot reacts: an edit of that message or any newer bot message.
function settlePresses(view) {
  for (const [key, at] of [...S.pressed.entries()]) {
    const messageId = Number(key.split(":")[1]);
    const reacted = view.messages.some((m) => m.from_bot &&
      ((m.message_id === messageId && (m.edit_date || 0) * 1000 >= at - 1000) ||
       (m.message_id > messageId && m.date * 1000 >= at - 1000)));
    if (reacted) S.pressed.delete(key);
  }
}

function renderReplyKeyboard(view) {
  const board = $("reply-keyboard");
  const keyboard = view.reply_keyboard;
  if (!keyboard) { board.hidden = true; board.replaceChildren(); return; }
  board.hidden = false;
  board.replaceChildren(...keyboard.keyboard.map((row) => h("div", { class: "key-row" }, row.map((button) => {
    if (button.request_contact) {
      const plainLabel = !/手机|电话|contact|phone/i.test(button.text);
      return h("button", { class: "key contact-key", type: "button", onclick: shareContact },
        "📱 ", button.text, plainLabel ? h("span", { class: "kind" }, " · 分享手机号 / Share contact") : null);
    }
    const unsupported = button.request_location || button.request_users || button.request_chat || button.web_app;
    return h("button", {
      class: "key", type: "button",
      onclick: unsupported ? () => toast("沙盒不支持此按钮 / not supported in the sandbox") : () => sendText(button.text),
    }, button.text);
  }))));
}

function showAnswers(view) {
  const seen = S.answersSeen.get(view.chat.id);
  S.answersSeen.set(view.chat.id, view.answers.length);
  if (seen === undefined) return; // answers from before the page opened are old news
  for (const answer of view.answers.slice(seen)) {
    for (const key of [...S.pressed.keys()]) if (key.startsWith(`${view.chat.id}:${answer.message_id}`)) S.pressed.delete(key);
    if (answer.show_alert && answer.text) alertBox(answer.text);
    else if (answer.text) toast(answer.text);
  }
}

function renderChannel(ch, posts) {
  $("head-avatar").className = "avatar channel-avatar";
  $("head-avatar").textContent = "📢";
  $("head-name").textContent = ch.title;
  $("head-sub").textContent = (ch.username ? "@" + ch.username + " · " : "") + "频道 / channel · " +
    posts.filter((p) => !p.deleted).length + " 条帖子 / posts";
  $("head-sub").className = "conv-sub";
  $("acting-as").replaceChildren(h("span", { class: "who" }, "只读 / read-only"));
  $("composer-wrap").hidden = true;
  $("channel-foot").hidden = false;
  renderMessages(posts, {
    channelTitle: ch.title,
    empty: h("div", { class: "empty" }, h("h3", {}, "📢 还没有帖子 / No posts yet"),
      h("p", {}, "公示开始后，机器人会把各单位名单发到这里。/ When 公示 opens, the bot posts each unit's list here.")),
  });
}

// ---- the sidebar -------------------------------------------------------------------------------
function renderSidebar() {
  const list = $("chat-list");
  const items = [];
  const channels = S.state.chats.filter((c) => c.type === "channel");
  if (channels.length) items.push(h("li", { class: "section-label" }, "公示频道 / Public channel"));
  for (const ch of channels) {
    const last = ch.last_message;
    items.push(h("li", {
      class: "chat-item" + (S.selected && S.selected.kind === "channel" && S.selected.id === ch.id ? " active" : ""),
      "data-chat": ch.id, onclick: () => select({ kind: "channel", id: ch.id }),
    },
    h("div", { class: "avatar channel-avatar" }, "📢"),
    h("div", { class: "body" },
      h("div", { class: "top" }, h("span", { class: "name" }, ch.title),
        h("span", { class: "when" }, last ? clock(last.date) : "")),
      h("div", { class: "preview" }, h("span", { class: "snippet" },
        last ? (last.text || "📎 文件 / file") : "还没有帖子 / no posts yet"),
      ch.message_count ? h("span", { class: "unread" }, ch.message_count) : null))));
  }
  items.push(h("li", { class: "section-label" }, "身份 / Personas"));
  for (const p of S.state.personas) {
    const chat = p.chat;
    const last = chat && chat.last_message;
    const unread = chat ? chat.bot_message_count - (S.seen[p.id] || 0) : 0;
    const active = S.selected && S.selected.kind === "persona" && S.selected.id === p.id;
    let preview = "点击开始对话 / tap to start";
    if (last) {
      const body = last.text || { document: "📎 文件 / file", photo: "🖼 照片 / photo", contact: "📱 联系人 / contact" }[last.kind] || "…";
      preview = last.from_bot ? body : "我 / Me: " + body;
    }
    items.push(h("li", {
      class: "chat-item" + (active ? " active" : ""), "data-persona": p.id,
      onclick: () => select({ kind: "persona", id: p.id }),
    },
    h("div", { class: `avatar ${avatarClass(p.id)}` }, initial(p.first_name)),
    h("div", { class: "body" },
      h("div", { class: "top" }, h("span", { class: "name" }, [p.first_name, p.last_name].filter(Boolean).join(" ")),
        roleBadge(p.role), p.blocked ? h("span", { class: "blocked-tag" }, "已屏蔽 blocked") : null,
        h("span", { class: "when" }, last ? clock(last.date) : "")),
      h("div", { class: "preview" }, h("span", { class: "snippet" }, preview),
        unread > 0 && !active ? h("span", { class: "unread hot" }, unread) : null))));
  }
  list.replaceChildren(...items);
}

function renderStatus() {
  const foot = $("bot-status");
  const st = S.state;
  foot.className = "side-foot " + (st.online ? "online" : "offline");
  foot.querySelector(".status-text").textContent = st.online
    ? `机器人 @${st.bot.username} 在线 · ${st.mode === "webhook" ? "webhook" : "长轮询 / polling"}`
    : `机器人 @${st.bot.username} 未连接 / bot not connected`;
}

// ---- loading -------------------------------------------------------------------------------------
async function refresh(force) {
  S.state = await api("state");
  renderStatus();
  if (!S.selected && S.state.personas.length) {
    const saved = Number(localStorage.getItem("sandbox.persona"));
    const start = persona(saved) ? saved : S.state.personas[0].id;
    S.selected = { kind: "persona", id: start };
  }
  renderSidebar();
  if (!S.selected) return;
  if (S.selected.kind === "persona") {
    const p = persona(S.selected.id);
    const version = p && p.chat ? p.chat.version : 0;
    if (force || version !== S.viewVersion || !S.view) {
      S.view = await api("chats/" + S.selected.id);
      S.viewVersion = S.view.version;
      renderChat(S.view);
    } else {
      renderChat(S.view); // online status or persona details may have changed
    }
  } else {
    const ch = channel(S.selected.id);
    if (!ch) return;
    if (force || ch.version !== S.viewVersion) {
      const posts = await api("channel_posts?chat_id=" + ch.id);
      S.viewVersion = ch.version;
      renderChannel(ch, posts);
    }
  }
}

async function select(target) {
  const changed = !S.selected || S.selected.kind !== target.kind || S.selected.id !== target.id;
  S.selected = target;
  if (target.kind === "persona") localStorage.setItem("sandbox.persona", target.id);
  history.replaceState(null, "", target.kind === "channel" ? "#channel=" + target.id : "#persona=" + target.id);
  $("app").classList.add("in-chat");
  if (changed) {
    S.nodes = new Map();
    $("messages").replaceChildren();
    $("commands-pop").hidden = true;
  }
  await refresh(true);
  $("messages").scrollTop = $("messages").scrollHeight;
  S.atBottom = true;
  if (target.kind === "persona" && window.matchMedia("(min-width: 761px)").matches) $("text").focus();
}

async function pollForever() {
  for (;;) {
    try {
      const answer = await api(`poll?since=${S.version}&timeout=8`);
      if (answer.version !== S.version) {
        S.version = answer.version;
        await refresh(false);
      } else {
        await refresh(false); // quiet period: still refresh the bot's online status
      }
    } catch (error) {
      $("bot-status").className = "side-foot offline";
      $("bot-status").querySelector(".status-text").textContent = "沙盒连接中断，重试中… / sandbox unreachable, retrying…";
      await sleep(700);
    }
  }
}

// ---- acting as the persona ----------------------------------------------------------------------
function currentPersona() {
  return S.selected && S.selected.kind === "persona" ? persona(S.selected.id) : null;
}

async function sendText(text) {
  const p = currentPersona();
  if (!p) return toast("请先选择一个身份 / pick a persona first");
  const payload = deepLink(text.trim());
  if (payload !== null) text = "/start " + payload;
  try {
    await send("inject/text", { user_id: p.id, text });
  } catch (error) {
    toast("发送失败 / not sent: " + error.message);
  }
}

async function press(m, button) {
  const p = currentPersona();
  if (!p) return;
  S.pressed.set(`${m.chat_id}:${m.message_id}:${button.callback_data}`, Date.now());
  refresh(true);
  try {
    await send("inject/callback", { user_id: p.id, message_id: m.message_id, data: button.callback_data });
  } catch (error) {
    toast("按钮无效 / button not pressed: " + error.message);
  }
  setTimeout(() => {
    // Drop the pressed look if the bot never answers.
    S.pressed.delete(`${m.chat_id}:${m.message_id}:${button.callback_data}`);
    refresh(true);
  }, 4100);
}

async function shareContact() {
  const p = currentPersona();
  if (!p) return;
  let phone = p.phone;
  if (!phone) {
    phone = window.prompt("此身份还没有手机号，请输入 / This persona has no phone yet:", "+86138");
    if (!phone) return;
    await send("personas/" + p.id, { phone }, "PATCH");
  }
  try {
    await send("inject/contact", { user_id: p.id, phone_number: phone });
  } catch (error) {
    toast("分享失败 / not shared: " + error.message);
  }
}

async function sendFile(file) {
  const p = currentPersona();
  if (!p || !file) return;
  const caption = $("text").value.trim();
  const upload = async (kind) => {
    const form = new FormData();
    form.append("user_id", p.id);
    form.append("kind", kind);
    if (caption) form.append("caption", caption);
    form.append("file", file, file.name);
    return api("inject/file", { method: "POST", body: form });
  };
  const image = /^image\/(jpeg|png|gif|webp)$/.test(file.type);
  try {
    await upload(image ? "photo" : "document");
  } catch (error) {
    if (!image) return toast("上传失败 / upload failed: " + error.message);
    try { await upload("document"); } catch (again) { return toast("上传失败 / upload failed: " + again.message); }
  }
  $("text").value = "";
  autoGrow();
}

function autoGrow() {
  const box = $("text");
  box.style.height = "auto";
  box.style.height = Math.min(box.scrollHeight, 140) + "px";
}

function toggleCommands() {
  const pop = $("commands-pop");
  if (!pop.hidden) { pop.hidden = true; return; }
  const commands = (S.view && S.view.commands && S.view.commands.length)
    ? S.view.commands : [{ command: "start", description: "开始 / Start" }];
  pop.replaceChildren(...commands.map((c) => h("button", {
    type: "button", onclick: () => { pop.hidden = true; sendText("/" + c.command); },
  }, h("span", { class: "cmd" }, "/" + c.command), h("span", { class: "desc" }, c.description))));
  pop.hidden = false;
}

// ---- creating personas -------------------------------------------------------------------------
function openPersonaDialog() {
  const select = $("role-select");
  select.replaceChildren(...Object.entries(S.state.roles).map(([role, label]) =>
    h("option", { value: role }, `${label.zh} / ${label.en}`)));
  $("persona-form").reset();
  $("persona-dialog").showModal();
}

async function createPersona(event) {
  event.preventDefault();
  const form = new FormData($("persona-form"));
  const body = Object.fromEntries([...form.entries()].filter(([, v]) => String(v).trim() !== ""));
  try {
    const created = await send("personas", body);
    $("persona-dialog").close();
    await select({ kind: "persona", id: created.id });
  } catch (error) {
    toast("创建失败 / not created: " + error.message);
  }
}

// ---- wiring ----------------------------------------------------------------------------------------
function wire() {
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("text").value;
    if (!text.trim()) return;
    $("text").value = "";
    autoGrow();
    sendText(text);
  });
  $("text").addEventListener("keydown", (event) => {
    // Enter sends; Shift+Enter is a new line; an IME still composing Chinese keeps its Enter.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("composer").requestSubmit();
    }
  });
  $("text").addEventListener("input", autoGrow);
  $("attach-btn").addEventListener("click", () => $("file-input").click());
  $("file-input").addEventListener("change", (event) => {
    sendFile(event.target.files[0]);
    event.target.value = "";
  });
  $("commands-btn").addEventListener("click", toggleCommands);
  document.addEventListener("click", (event) => {
    if (!event.target.closest("#commands-pop, #commands-btn")) $("commands-pop").hidden = true;
  });
  $("start-btn").addEventListener("click", () => sendText("/start"));
  $("new-persona").addEventListener("click", openPersonaDialog);
  $("persona-form").addEventListener("submit", createPersona);
  $("persona-cancel").addEventListener("click", () => $("persona-dialog").close());
  $("back").addEventListener("click", () => $("app").classList.remove("in-chat"));
  $("messages").addEventListener("scroll", () => {
    const box = $("messages");
    S.atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 120;
  });
}

async function boot() {
  wire();
  const hash = /^#(persona|channel)=(-?\d+)$/.exec(location.hash);
  if (hash) S.selected = { kind: hash[1], id: Number(hash[2]) };
  try {
    await refresh(true);
    S.version = S.state.version;
    if (hash) $("app").classList.add("in-chat");
    $("messages").scrollTop = $("messages").scrollHeight;
  } catch (error) {
    toast("沙盒未响应 / sandbox not answering: " + error.message, 6000);
  }
  pollForever();
}

boot();
