// Sending a notification as e-mail over SMTP with libcurl. TLS is never optional: smtp:// must
// upgrade with STARTTLS (a server that does not offer it gets nothing), smtps:// starts in TLS;
// the server's certificate and host name are verified; credentials go only over TLS. The mail
// carries references only, as the notify step's allow-list admitted them.
#ifndef COALITION_PLUGINS_NOTIFY_SMTP_MAILER_H_
#define COALITION_PLUGINS_NOTIFY_SMTP_MAILER_H_

#include <map>
#include <string>

namespace coalition::plugins::notify {

struct SmtpOptions {
  std::string url;   // smtp://host[:port] (STARTTLS) or smtps://host[:port]
  std::string from;  // the sender address, e.g. coalition@secretariat.example.org
  std::string username;
  std::string password;  // with `username`: authenticate (after TLS)
  std::string ca_file;   // PEM bundle trusted instead of the system's
  int timeout_ms = 10000;
};

struct Mail {
  std::string to;          // one address
  std::string subject;     // one line
  std::string body;        // plain text, lines separated by '\n'
  std::string message_id;  // the same on every retry of one notification, so a copy is spotted
  std::string date;        // RFC 5322, e.g. "Thu, 03 Dec 2026 15:20:00 +0000"
};

struct SmtpResult {
  bool sent = false;
  std::string error;       // why not, never holding the password
  bool permanent = false;  // retrying cannot help: refused recipient, credentials, certificate
};

// The RFC 5322 text of `mail` from `from`: CRLF line ends, header values without line breaks
// (they are replaced by spaces, so no value can add a header), UTF-8 declared.
std::string mail_text(const std::string& from, const Mail& mail);

SmtpResult send_mail(const SmtpOptions& options, const Mail& mail);

// A mail's Date header for an RFC 3339 UTC instant ("2026-12-03T15:20:00Z"); empty when the
// text is not one.
std::string mail_date(const std::string& rfc3339);

}  // namespace coalition::plugins::notify

#endif  // COALITION_PLUGINS_NOTIFY_SMTP_MAILER_H_
