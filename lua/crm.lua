---@meta
-- Editor annotations (LuaLS) of what crm-host gives a bot script. Not loaded by
-- the host: point your editor's `workspace.library` here (see scripts/.luarc.json).

---@class crm.Group
---@field id string the group's id
---@field name string|nil

---@class crm.Media
---@field type string image, audio, video, document, sticker, location, contacts…
---@field url string|nil
---@field mime string|nil
---@field caption string|nil

---@class crm.Message
---@field id string WhatsApp's id of the message
---@field conversation integer the conversation's id
---@field from string the contact id: phone digits when known, else the user id (in a group: the member)
---@field phone string|nil phone digits, nil when WhatsApp hid them
---@field user_id string|nil business-scoped user id (e.g. "BR.1502576394655843"), nil when unknown
---@field username string|nil
---@field name string|nil the contact's name
---@field text string the text (or the caption of media), "" when none
---@field is_group boolean
---@field group crm.Group|nil
---@field sender string|nil in a group: the member who wrote
---@field media crm.Media|nil
---@field at integer when it was sent, epoch seconds
local Message = {}

--- Answers in the message's conversation, through the instance that owns it.
---@param content string|crm.Outgoing
function Message:reply(content) end

---@class crm.StatusEvent
---@field id string the id of the message we sent
---@field conversation integer
---@field status "sent"|"delivered"|"read"|"failed"
---@field reason string|nil why it failed
---@field at integer epoch seconds

---@class crm.ConnectionEvent
---@field status "DISCONNECTED"|"CONNECTING"|"QR"|"CONNECTED"|"LOGGED_OUT"|"FAILED"
---@field phone_number string|nil
---@field reason string|nil

---@class crm.TimerEvent
---@field name string the name given to crm.after
---@field payload any the payload given to crm.after (JSON values)
---@field due_at integer epoch seconds

---@class crm.Template
---@field name string an approved template (Cloud API)
---@field language? string default "pt_BR"
---@field parameters? string[]

---@class crm.Outgoing
---@field text? string
---@field media? crm.Media
---@field template? crm.Template
---@field reply_to? string the WhatsApp id of the message to quote

---@class crm.Conversation
---@field id integer
---@field contact_id string
---@field phone string|nil
---@field user_id string|nil
---@field username string|nil
---@field name string|nil
---@field is_group boolean
---@field group_name string|nil
---@field assignee string|nil the queue or person it is assigned to
---@field tags string[]
---@field unread_count integer
---@field last_message_at integer|nil epoch seconds
---@field last_inbound_at integer|nil when the contact last wrote (opens the 24-hour window)
---@field last_operator_reply_at integer|nil when a person (not a script) last replied

---@class crm.Instance
---@field id string
---@field name string
---@field phone_number string|nil

--- Registers a handler. Handlers of one event run in the order registered;
--- if one fails, nothing any of them asked for happens.
---@overload fun(event: "message", handler: fun(msg: crm.Message))
---@overload fun(event: "status", handler: fun(ev: crm.StatusEvent))
---@overload fun(event: "connection", handler: fun(ev: crm.ConnectionEvent))
---@overload fun(event: "timer", handler: fun(t: crm.TimerEvent))
---@param event "message"|"status"|"connection"|"timer"
---@param handler function
function on(event, handler) end

--- Loads a module from the bot's folder, then `_shared/`, then the standard
--- library (`crm.triggers`, `crm.hours`, `crm.session`, `crm.debounce`,
--- `crm.window`, `crm.text`). `require "a.b"` reads `a/b.lua`.
---@param name string
---@return any
function require(name) end

---@class crm
crm = {}

--- The instance running this script.
---@type crm.Instance
crm.instance = {}

--- Sends a message in one of this instance's conversations. Raises an error for
--- another instance's conversation. At most 20 sends per event (by default).
---@param conversation integer
---@param content string|crm.Outgoing
function crm.send(conversation, content) end

---@param conversation integer
---@param tag string
function crm.tag(conversation, tag) end

---@param conversation integer
---@param tag string
function crm.untag(conversation, tag) end

--- The conversation's tags, including this event's own changes.
---@param conversation integer
---@return string[]
function crm.tags(conversation) end

--- Assigns the conversation to a queue (or person); nil clears it.
---@param conversation integer
---@param queue string|nil
function crm.assign(conversation, queue) end

--- A read-only view of one of this instance's conversations.
---@param conversation integer
---@return crm.Conversation
function crm.conversation(conversation) end

--- Runs the `timer` handlers after `seconds` with `{name, payload, due_at}`.
--- Timers are stored: they survive reloads and restarts.
---@param seconds number
---@param name string
---@param payload? any JSON values
---@return integer due_at epoch seconds
function crm.after(seconds, name, payload) end

--- The time now, epoch seconds (the fixture's clock in `crm-host test`).
---@return integer
function crm.now() end

--- Persistent values of this instance, kept by the host. Reads see this
--- event's own writes; writes happen only if the event succeeds.
---@class crm.kv
crm.kv = {}

---@param key string
---@return any
function crm.kv.get(key) end

---@param key string
---@param value any JSON values; nil deletes
function crm.kv.set(key, value) end

--- Adds `by` (default 1) to an integer value (absent counts as 0) and returns it.
---@param key string
---@param by? integer
---@return integer
function crm.kv.incr(key, by) end

---@param key string
function crm.kv.delete(key) end

---@class crm.json
crm.json = {}

--- JSON text of a value; keys are sorted.
---@param value any
---@return string
function crm.json.encode(value) end

--- A value from JSON text; raises on invalid JSON with what is wrong and at
--- which byte (`crm.json.decode: invalid JSON at byte 1: expected a member name`),
--- so `pcall(crm.json.decode, text)` tells a bot what to log.
---@param text string
---@return any
function crm.json.decode(text) end

---@class crm.log
crm.log = {}

---@param ... any
function crm.log.info(...) end

---@param ... any
function crm.log.warn(...) end

---@param ... any
function crm.log.error(...) end
