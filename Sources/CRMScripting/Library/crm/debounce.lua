--- Debounce: a burst of messages becomes one, handled `seconds` after the last.
---
---     local debounce = require "crm.debounce"
---     on("message", function(msg) debounce.push(msg, 60) end)
---     on("timer", function(t)
---       local burst = debounce.take(t)
---       if burst then crm.send(burst.conversation, "Recebi: " .. burst.text) end
---     end)
---
--- Each message restarts the wait: only the timer of the latest message of the
--- burst finds its sequence number current, the earlier ones do nothing.
---@class crm.debounce
local debounce = {}

--- The timer name debounce uses.
debounce.timer = "crm.debounce"

local function key(conversation) return "debounce:" .. tostring(conversation) end

--- Adds the message to its conversation's burst and (re)starts the wait.
---@param msg crm.Message
---@param seconds number quiet time before the burst is handled
function debounce.push(msg, seconds)
  local burst = crm.kv.get(key(msg.conversation)) or { seq = 0, texts = {}, first_at = msg.at }
  burst.seq = burst.seq + 1
  burst.texts[#burst.texts + 1] = msg.text
  crm.kv.set(key(msg.conversation), burst)
  crm.after(seconds, debounce.timer, { conversation = msg.conversation, seq = burst.seq })
end

---@class crm.debounce.Burst
---@field conversation integer
---@field text string the messages joined by newlines
---@field texts string[]
---@field first_at integer when the first message of the burst arrived

--- The burst, when `t` is the timer of its latest message; nil otherwise
--- (another timer, or an earlier message of a burst still going on).
---@param t crm.TimerEvent
---@return crm.debounce.Burst|nil
function debounce.take(t)
  if t.name ~= debounce.timer or type(t.payload) ~= "table" then return nil end
  local conversation = t.payload.conversation
  local burst = crm.kv.get(key(conversation))
  if burst == nil or burst.seq ~= t.payload.seq then return nil end
  crm.kv.delete(key(conversation))
  return { conversation = conversation, text = table.concat(burst.texts, "\n"), texts = burst.texts,
           first_at = burst.first_at }
end

return debounce
