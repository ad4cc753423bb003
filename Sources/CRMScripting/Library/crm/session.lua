--- A per-contact bot session kept in kv: a state name and data that expire
--- after a quiet time, end on a finish keyword, and pause while a human
--- operator is talking to the contact.
---
---     local sessions = require "crm.session"
---     local bot = sessions.new { ttl = 30 * 60, finish = { "sair", "encerrar" }, pause = 2 * 3600 }
---     on("message", function(msg)
---       local s, why = bot:open(msg)
---       if not s then return end              -- why: "paused" or "finished"
---       if s.state == nil then s:go("menu") ... end
---     end)
---@class crm.session
local sessions = {}

local text = require "crm.text"

---@class crm.session.Options
---@field ttl? integer seconds of silence after which a session starts over (default 1800)
---@field finish? string[] words that end the session (default none)
---@field pause? integer seconds the bot keeps quiet after an operator replied (default 3600)
---@field prefix? string kv key prefix (default "session:")

---@class crm.session.Bot
---@field options crm.session.Options
local Bot = {}
Bot.__index = Bot

---@class crm.session.Session
---@field conversation integer
---@field state string|nil the step the contact is in; nil in a new session
---@field data table anything the flow keeps between messages
---@field fresh boolean true when this message started the session
local Session = {}
Session.__index = Session

---@param options? crm.session.Options
---@return crm.session.Bot
function sessions.new(options)
  options = options or {}
  return setmetatable({
    options = {
      ttl = options.ttl or 1800,
      finish = options.finish or {},
      pause = options.pause or 3600,
      prefix = options.prefix or "session:",
    },
  }, Bot)
end

local function key(bot, conversation) return bot.options.prefix .. tostring(conversation) end

--- Whether an operator replied in the conversation less than `pause` seconds ago.
---@param conversation integer
---@return boolean
function Bot:paused(conversation)
  local view = crm.conversation(conversation)
  local replied = view.last_operator_reply_at
  return replied ~= nil and crm.now() - replied < self.options.pause
end

--- The session of the message's conversation, started or resumed; or nil and
--- why: "paused" (an operator is talking) or "finished" (a finish word).
---@param msg crm.Message
---@return crm.session.Session|nil session
---@return "paused"|"finished"|nil why
function Bot:open(msg)
  local conversation = msg.conversation
  if self:paused(conversation) then return nil, "paused" end
  if #self.options.finish > 0 and require("crm.triggers").keyword(msg.text or "", self.options.finish) then
    crm.kv.delete(key(self, conversation))
    return nil, "finished"
  end
  local stored = crm.kv.get(key(self, conversation))
  local now = crm.now()
  local session = setmetatable({ bot = self, conversation = conversation, data = {}, fresh = true }, Session)
  if type(stored) == "table" and (stored.expires_at or 0) > now then
    session.state, session.data, session.fresh = stored.state, stored.data or {}, false
  end
  session:save()
  return session, nil
end

--- Ends the conversation's session.
---@param conversation integer
function Bot:finish(conversation)
  crm.kv.delete(key(self, conversation))
end

--- Moves to another step and saves.
---@param state string|nil
function Session:go(state)
  self.state = state
  self:save()
end

--- Saves state and data, and pushes the expiry `ttl` seconds ahead.
function Session:save()
  crm.kv.set(key(self.bot, self.conversation), {
    state = self.state, data = self.data, expires_at = crm.now() + self.bot.options.ttl,
  })
end

--- Ends this session: the next message starts a new one.
function Session:finish()
  self.bot:finish(self.conversation)
end

--- Whether `msg.text` folded equals one of the options (e.g. menu numbers).
---@param msg crm.Message
---@param choices string[]
---@return string|nil choice
function sessions.choice(msg, choices)
  local folded = text.fold(msg.text or "")
  for _, choice in ipairs(choices) do
    if folded == text.fold(choice) then return choice end
  end
  return nil
end

return sessions
