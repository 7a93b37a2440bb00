# Varnish in front of qasite's app server (see README.md, "Deploy", and README.md here).
#
# It keeps only what the app addresses to it in `Qasite-Cache-Control` (public pages and
# search results), for that header's max-age, serves it stale while revalidating
# (stale-while-revalidate) and, while the app cannot answer, for as long as stale-if-error
# allows, unless the app marks its error X-Qasite-No-Stale (a page taken down). The header
# never leaves Varnish: browsers and CDNs get the app's Cache-Control, which by default
# has them revalidate every time, since nothing purges them. Each page names what it was
# built from in its `xkey` header (surrogate keys: `a12` an answer, `t3` a topic, `all` every
# page; answers/publication.py), which the xkey module (Debian's varnish-modules) indexes it
# by. On each publication event the app purges the keys it changed, and the pages a
# take-down removes by their address (delivery/proxy_purge.py): an approval or a withdrawal
# reaches visitors at once, not after max-age, and every other page stays kept.
#
# One copy per page: the host is lower-cased without its port, tracking parameters (utm_*,
# fbclid, gclid, …: the list in delivery/page_cache.py) are dropped and the rest sorted; the
# app redirects any other parameter a page does not take. Nothing else is kept at all, not
# even as a hit-for-miss object, so junk hosts or addresses fill nothing.
#
# Varnish 7.1 and varnish-modules (Debian 12: apt-get install varnish varnish-modules).
# Check it: varnishd -C -f "$PWD/default.vcl" >/dev/null 2>&1 && echo OK
vcl 4.1;

import std;
import xkey;

# The app server. With several, add one backend each and a round-robin director
# (vmod_directors), and set req.backend_hint to it in vcl_recv.
backend app {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;  # no page takes near that long
}

# Who may BAN or PURGE: the app servers, which purge on publication. Add each one's
# address (the source address it reaches Varnish from), e.g. "10.0.0.11"; or a subnet:
# "10.0.0.0"/24;
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.restarts == 0) {
        # Our own markers between restarts: never a visitor's.
        unset req.http.X-Qasite-Refetch;
        unset req.http.X-Qasite-Stale;
        unset req.http.X-Qasite-Plain;
        unset req.http.X-Qasite-Purge-Plain;
        set req.http.Host = regsub(std.tolower(req.http.Host), ":[0-9]+$", "");
        if (req.url ~ "(?i)[?&](utm_[a-z0-9_]*|fbclid|gclid|gclsrc|dclid|gbraid|wbraid|msclkid|yclid|twclid|ttclid|igshid|li_fat_id|mc_cid|mc_eid|_ga|_gl|_hsenc|_hsmi|mkt_tok|oly_anon_id|oly_enc_id|s_kwcid)(=|&|$)") {
            set req.url = regsuball(req.url, "(?i)([?&])(utm_[a-z0-9_]*|fbclid|gclid|gclsrc|dclid|gbraid|wbraid|msclkid|yclid|twclid|ttclid|igshid|li_fat_id|mc_cid|mc_eid|_ga|_gl|_hsenc|_hsmi|mkt_tok|oly_anon_id|oly_enc_id|s_kwcid)(=[^&#]*)?(?=&|#|$)", "\1");
            set req.url = regsuball(req.url, "([?&])&+", "\1");
            set req.url = regsub(req.url, "[?&]+(#|$)", "\1");
        }
        set req.url = std.querysort(req.url);
    }
    if (req.method == "BAN" || req.method == "PURGE") {
        call qasite_purge;
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # The admin, staff previews of drafts, the report form and an outside expert's
    # review page (their CSRF cookie) are never kept, and keep their cookies. A page in a
    # language other than the site's default is under its prefix: /es/ask/<slug>/report/.
    if (req.url ~ "^/admin(/|$)" ||
        req.url ~ "^(/[a-z]{2,3}(-[a-z0-9]+)?)?/ask/[^/]+/(preview|report)/" ||
        req.url ~ "^/review/") {
        return (pass);
    }
    # A signed-in user's requests go to the app with their cookies, uncached.
    if (req.http.Cookie ~ "(^|;)\s*sessionid=") {
        return (pass);
    }
    # Signed out, a public page is the same for everyone: a CSRF token, analytics or a
    # consent cookie must not make each visitor's copy private.
    unset req.http.Cookie;

    if (req.http.X-Qasite-Stale) {
        # The app failed: any copy within the object's grace (stale-if-error) will do.
        set req.grace = 365d;
    } else if (req.http.X-Qasite-Refetch) {
        # Past stale-while-revalidate: only a fresh copy; fetch it now.
        set req.grace = 0s;
    }
    # The built-in rules follow: a request with Authorization is passed, the rest looked up.
}

sub qasite_purge {
    # nginx in front sets X-Forwarded-Proto on every request it relays, and relays from
    # this host: such a request is a visitor's, whatever client.ip says. (A restart is our
    # own, from vcl_purge below, which set it.)
    if (req.restarts == 0 && (!client.ip ~ purgers || req.http.X-Forwarded-Proto)) {
        return (synth(405, "Not allowed"));
    }
    if (req.method == "PURGE" && req.http.Xkey-Purge) {
        # Every page carrying any of these keys (space-separated), on every host, at once,
        # copies in grace included.
        return (synth(200, "Purged " + xkey.purge(req.http.Xkey-Purge)));
    }
    if (req.method == "PURGE") {
        return (purge);  # this URL on this host, at once, copies in grace included
    }
    # BAN: drop every page whose path matches the X-Ban-Url regex ("^/": all of them). The
    # app sends one with a purge of `all` (manage.py purge_pages --all), which also reaches
    # copies kept before pages carried keys.
    if (!req.http.X-Ban-Url) {
        return (synth(400, "X-Ban-Url is required"));
    }
    if (!std.ban("obj.http.X-Qasite-Url ~ " + req.http.X-Ban-Url)) {
        return (synth(400, std.ban_error()));
    }
    return (synth(200, "Banned"));
}

sub vcl_purge {
    # A page has four copies (vcl_hash): http and https, compressed and plain. The first
    # pass purged the compressed http one; the restarts purge the other three.
    if (req.restarts == 0) {
        set req.http.X-Qasite-Purge-Plain = "1";
        return (restart);
    }
    if (req.restarts == 1) {
        unset req.http.X-Qasite-Purge-Plain;
        set req.http.X-Forwarded-Proto = "https";
        return (restart);
    }
    if (req.restarts == 2) {
        set req.http.X-Qasite-Purge-Plain = "1";
        return (restart);
    }
    return (synth(200, "Purged"));
}

sub vcl_hash {
    # An http:// request gets the app's redirect to https://; keep it apart from the page.
    hash_data(req.http.X-Forwarded-Proto);
    # A compressed and a plain copy, as the app keeps them: with one compressed copy only,
    # Varnish would gunzip the page for every client that does not take gzip. Varnish has
    # read Accept-Encoding already (http_gzip_support): "gzip", or none. A PURGE names the
    # copy it drops (vcl_purge).
    if (req.method == "PURGE") {
        if (!req.http.X-Qasite-Purge-Plain) {
            hash_data("gzip");
        }
    } else if (req.http.Accept-Encoding == "gzip") {
        hash_data("gzip");
    } else {
        set req.http.X-Qasite-Plain = "1";
    }
    # The built-in rule adds the URL and the host.
}

sub vcl_hit {
    # obj.grace is stale-if-error (below); stale-while-revalidate is the shorter window
    # in which a stale copy is served while it is fetched again in the background.
    if (obj.ttl <= 0s && !req.http.X-Qasite-Stale &&
        obj.ttl + std.duration(real=std.real(obj.http.X-Qasite-Swr, 0), fallback=0s) <= 0s) {
        set req.http.X-Qasite-Refetch = "1";
        return (restart);
    }
}

sub vcl_miss {
    if (req.http.X-Qasite-Stale) {
        # The stale copy went (banned, say) while the app failed: nothing to fall back on.
        return (synth(503, "The site is briefly unavailable"));
    }
}

sub vcl_backend_fetch {
    # Varnish asks every backend for gzip; a plain copy is fetched plain.
    if (bereq.http.X-Qasite-Plain) {
        unset bereq.http.Accept-Encoding;
    }
    unset bereq.http.X-Qasite-Plain;
}

sub vcl_backend_response {
    # Bans test the object, so the ban lurker can drop banned objects in the background.
    set beresp.http.X-Qasite-Url = bereq.url;
    if (bereq.uncacheable) {
        return (deliver);  # a pass: nothing to keep
    }
    if (beresp.status >= 500 && (bereq.is_bgfetch || bereq.http.X-Qasite-Refetch) &&
        !beresp.http.X-Qasite-No-Stale) {
        # There is a stale copy: keep it, and serve it (stale-if-error, see vcl_synth).
        # With none, the app's own error page goes to the visitor, uncached. Never for a
        # page the app says was taken down: its error goes to the visitor instead.
        return (abandon);
    }
    # no-store: a stale copy served while the app's database is down (its 304 merged into
    # an object we hold would otherwise keep our own header).
    if (!beresp.http.Qasite-Cache-Control || beresp.http.Set-Cookie ||
        beresp.http.Cache-Control ~ "(?i)no-store" ||
        (beresp.status != 200 && beresp.status != 304)) {
        # Only what the app addresses to us: no 404s, redirects, admin pages, stale copies
        # served while the database is down, or refused hosts. Not even a hit-for-miss
        # object is kept, so that junk addresses cannot fill the cache.
        set beresp.uncacheable = true;
        set beresp.ttl = 0s;
        set beresp.grace = 0s;
        set beresp.keep = 0s;
        return (deliver);
    }
    set beresp.ttl = std.duration(
        regsub(beresp.http.Qasite-Cache-Control, "^.*max-age=([0-9]+).*$", "\1s"), 0s);
    set beresp.http.X-Qasite-Swr = std.duration(regsub(beresp.http.Qasite-Cache-Control,
        "^.*stale-while-revalidate=([0-9]+).*$", "\1s"), 0s);
    set beresp.grace = std.duration(
        regsub(beresp.http.Qasite-Cache-Control, "^.*stale-if-error=([0-9]+).*$", "\1s"), 0s);
    # Not the built-in rules: they would refuse the Cache-Control meant for browsers.
    return (deliver);
}

sub vcl_backend_error {
    # The app is unreachable: as for a 5xx above.
    if (bereq.is_bgfetch || bereq.http.X-Qasite-Refetch) {
        return (abandon);
    }
}

sub vcl_synth {
    if (resp.status == 503 && req.http.X-Qasite-Refetch && !req.http.X-Qasite-Stale) {
        # The fetch of a stale page was abandoned: look again, accepting the stale copy.
        set req.http.X-Qasite-Stale = "1";
        return (restart);
    }
}

sub vcl_deliver {
    if (obj.hits == 0 && resp.http.X-Cache) {
        # Fetched for this request: what the app's own cache did (hit, miss, stale), for
        # anyone measuring each layer (bench/zipf.py).
        set resp.http.X-Cache-App = resp.http.X-Cache;
    }
    if (obj.uncacheable) {
        set resp.http.X-Cache = "PASS";
    } else if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    unset resp.http.X-Qasite-Url;
    unset resp.http.xkey;
    unset resp.http.X-Qasite-Swr;
    unset resp.http.Qasite-Cache-Control;
    unset resp.http.X-Qasite-No-Stale;
}
