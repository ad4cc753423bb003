-- Suporte (support): a menu in a bot session; opens numbered tickets, hands
-- over to a human on request, and keeps quiet while an operator is talking.
local sessions = require "crm.session"
local window = require "crm.window"

local bot = sessions.new { ttl = 30 * 60, finish = { "sair", "encerrar" }, pause = 2 * 3600 }

local MENU = "Olá! Sou o assistente do suporte.\n"
  .. "1 - Abrir um chamado\n"
  .. "2 - Falar com um atendente\n"
  .. "(digite *sair* para encerrar)"

local FOLLOW_UP = 20 * 3600

local function hand_over(msg, session)
  crm.assign(msg.conversation, "support")
  crm.tag(msg.conversation, "humano")
  msg:reply("Certo! Um atendente vai falar com você em instantes.")
  session:finish()
end

local function open_ticket(msg, session)
  local number = crm.kv.incr("ticket:seq")
  crm.kv.set("ticket:" .. number, { conversation = msg.conversation, text = msg.text, opened_at = crm.now() })
  crm.tag(msg.conversation, "chamado")
  msg:reply(string.format("Chamado #%d aberto. Responderemos em até 24 horas.", number))
  crm.after(FOLLOW_UP, "ticket.follow_up", { conversation = msg.conversation, ticket = number })
  session:finish()
end

local steps = {
  menu = function(msg, session)
    local choice = sessions.choice(msg, { "1", "2" })
    if choice == "1" then
      msg:reply("Descreva o problema em uma mensagem, por favor.")
      session:go("describe")
    elseif choice == "2" then
      hand_over(msg, session)
    else
      msg:reply("Não entendi. " .. MENU)
    end
  end,
  describe = open_ticket,
}

on("message", function(msg)
  local session, why = bot:open(msg)
  if why == "finished" then
    msg:reply("Atendimento encerrado. Até logo!")
    return
  end
  if session == nil then return end
  local step = steps[session.state]
  if step == nil then
    msg:reply(MENU)
    session:go("menu")
    return
  end
  step(msg, session)
end)

on("timer", function(t)
  if t.name ~= "ticket.follow_up" then return end
  window.send(t.payload.conversation, string.format("O chamado #%d foi resolvido? Responda *1* para reabrir.", t.payload.ticket),
    { name = "ticket_follow_up", language = "pt_BR", parameters = { tostring(t.payload.ticket) } })
end)

on("status", function(ev)
  if ev.status == "failed" then crm.log.warn("a reply was not delivered:", ev.reason) end
end)
