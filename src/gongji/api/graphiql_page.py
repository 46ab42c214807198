"""GraphiQL served by gongji itself: every script, stylesheet and font comes from this process.

Hospital and medical-insurance networks are usually cut off from the internet, where strawberry's
page (React, GraphiQL and the explorer from a CDN) stays blank. The same files, taken from the
npm registry at the versions and `integrity` hashes strawberry 0.341.2's page pins, ship in
`graphiql/` beside this module with their licences (`graphiql/licenses/`).
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
import html
import json
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

ASSET_DIR = Path(__file__).with_name("graphiql")
ASSET_PATH = "/graphiql"

# In the order strawberry's page loads them; our own two files come last.
STYLESHEETS = ("graphiql-3.8.3.min.css", "plugin-explorer-1.0.2.css", "gongji-graphiql.css")
HEAD_SCRIPTS = (
    "react-18.2.0.production.min.js",
    "react-dom-18.2.0.production.min.js",
    "js-cookie-3.0.5.min.js",
)
BODY_SCRIPTS = ("graphiql-3.8.3.min.js", "plugin-explorer-1.0.2.umd.js", "gongji-graphiql.js")
OUR_OWN = frozenset({"gongji-graphiql.css", "gongji-graphiql.js"})

# Only what the page itself needs; the browser refuses anything else, outside hosts included.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # React and CodeMirror set style attributes
        "font-src 'self' data:",  # GraphiQL's Roboto and Fira Code are data: URLs in its CSS
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)
FAVICON = (
    "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 100 100'%3E"
    "%3Ctext y='.9em' font-size='80'%3E%E5%85%B1%3C/text%3E%3C/svg%3E"
)


@dataclass(frozen=True)
class Asset:
    name: str
    body: bytes

    @functools.cached_property
    def integrity(self) -> str:
        """Subresource integrity: the browser runs the file only if it hashes to this."""
        return "sha384-" + base64.b64encode(hashlib.sha384(self.body).digest()).decode()

    @functools.cached_property
    def gzipped(self) -> bytes:
        return gzip.compress(self.body, compresslevel=6, mtime=0)

    @property
    def url(self) -> str:
        if self.name in OUR_OWN:  # changes with gongji, not with a version in its name
            return f"{ASSET_PATH}/{self.name}?v={hashlib.sha256(self.body).hexdigest()[:12]}"
        return f"{ASSET_PATH}/{self.name}"

    @property
    def media_type(self) -> str:
        kind = "text/css" if self.name.endswith(".css") else "text/javascript"
        return f"{kind}; charset=utf-8"


@functools.cache
def assets() -> dict[str, Asset]:
    names = (*STYLESHEETS, *HEAD_SCRIPTS, *BODY_SCRIPTS)
    return {name: Asset(name, (ASSET_DIR / name).read_bytes()) for name in names}


@dataclass(frozen=True)
class Tab:
    """A GraphiQL tab opened on the first visit (GraphiQL 3's `defaultTabs`)."""

    query: str
    variables: str | None = None
    headers: str | None = None


def _headers(token: str) -> str:
    return json.dumps({"Authorization": f"Bearer {token}"}, indent=2)


PASTE = "paste-the-token-from-the-Login-tab"

# The README walkthrough ("Log in with the demo data", "Try a family payment").
WALKTHROUGH = (
    Tab(
        """# 共济 gongji: the README walkthrough, one tab per step.
#
# 1. Run this tab (▶ or Ctrl-Enter); copy "token" from the result.
# 2. In the next tabs, open Headers (below the editor) and put
#    the token after "Bearer ": { "Authorization": "Bearer gjs_…" }
#
# 运行本页登录，复制结果中的 token，
# 粘贴到其他标签页下方 Headers 里 "Bearer " 之后。
#
# Other demo people: demo-wangxiuying (王秀英), demo-lina (李娜) …
mutation Login {
  login(code: "demo-zhangwei") {
    token
    verified
    errors { code message }
  }
}
"""
    ),
    Tab(
        """# As 张伟: his token from the Login tab goes in Headers.
query Me {
  me { name idNumber phone canAuthorize insuredRegion { name } }
}
""",
        headers=_headers(PASTE),
    ),
    Tab(
        """# As 张伟: his wallet, and his mother 王秀英's id.
query Wallet {
  myWallet { available reserved personalAccount { carryover currentYear } }
  myFamilyGroups { members { person { id name } } }
}

# Put 王秀英's id in Variables, then run Authorize
# (▶ asks which operation to run).
mutation Authorize($relativeId: ID!) {
  authorizeFamilyMember(relativeId: $relativeId, quota: "500.00") {
    authorization { id quota remaining }
    errors { code message }
  }
}
""",
        variables=json.dumps({"relativeId": "王秀英's id from Wallet"}, ensure_ascii=False),
        headers=_headers(PASTE),
    ),
    Tab(
        """# As the hospital 郑州市中心医院 (its demo API key is in
# Headers): a bill for 王秀英 with a fitness item, which
# family money never pays (R15).
mutation CreateBill {
  createBill(input: {externalRef: "ZZ-0001", patientName: "王秀英",
    patientIdNumber: "410102195001080426", visitType: OUTPATIENT,
    items: [{name: "阿莫西林胶囊", category: DRUG, amount: "86.00"},
            {name: "血常规", category: EXAMINATION, amount: "34.00"},
            {name: "康复健身指导", category: FITNESS, amount: "80.00"}],
    medfeeSumamt: "200.00", hifpPay: "60.00", fulamtOwnpayAmt: "0"}) {
    bill { id status }
    errors { code message }
  }
}
""",
        headers=_headers("gjk_demo_H41010500002"),
    ),
    Tab(
        """# As 王秀英: log in with "demo-wangxiuying" in the Login tab
# and put her token in Headers. Run BillsToPay for the ids,
# put them in Variables, then run Pay.
mutation Pay($billId: ID!, $authorizationId: ID!) {
  pay(billId: $billId, authorizationId: $authorizationId,
      idempotencyKey: "my-first-payment") {
    replayed
    payment { id psnPartAmt acctMulaidPay psnCashPay excludedItems }
    errors { code message }
  }
}

query BillsToPay {
  myBills(first: 10) { edges { node { id status } } }
  authorizationsReceived { edges { node { id remaining } } }
}
""",
        variables=json.dumps(
            {"billId": "from BillsToPay", "authorizationId": "from BillsToPay"}, indent=2
        ),
        headers=_headers(PASTE),
    ),
    Tab(
        """# 医保使用记录: as 王秀英 (AS_PATIENT),
# or as 张伟 with role AS_AUTHORIZER.
query Records {
  usageRecords(filter: {role: AS_PATIENT}, first: 10) {
    totalCount
    sums { familyPaid cash byVisitType { visitType count familyPaid cash } }
    edges {
      node { occurredAt kind visitType institution { name }
             patient { name } total pooledFund familyPaid cash }
    }
  }
}
""",
        headers=_headers(PASTE),
    ),
)


def _tabs_json(tabs: tuple[Tab, ...]) -> str:
    data = [{k: v for k, v in vars(tab).items() if v is not None} for tab in tabs]
    # inside <script>: no "</script>" or "<!--" can end it early
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


def _tag(asset: Asset) -> str:
    url, integrity = html.escape(asset.url), asset.integrity
    if asset.name.endswith(".css"):
        return f'<link rel="stylesheet" href="{url}" integrity="{integrity}" />'
    return f'<script src="{url}" integrity="{integrity}"></script>'


@functools.cache
def page() -> str:
    found = assets()
    head = "\n    ".join(_tag(found[n]) for n in (*STYLESHEETS, *HEAD_SCRIPTS))
    body = "\n    ".join(_tag(found[n]) for n in BODY_SCRIPTS)
    return f"""<!doctype html>
<html lang="zh-CN">
  <head>
    <meta charset="utf-8" />
    <title>共济 gongji · GraphiQL</title>
    <link rel="icon" href="{FAVICON}" />
    {head}
  </head>
  <body>
    <div id="graphiql" class="graphiql-container">Loading…</div>
    <script type="application/json" id="gongji-tabs">{_tabs_json(WALKTHROUGH)}</script>
    {body}
  </body>
</html>
"""


def page_response() -> Response:
    return HTMLResponse(
        page(),
        headers={
            "Cache-Control": "no-cache",
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "X-Content-Type-Options": "nosniff",
        },
    )


async def serve_asset(request: Request) -> Response:
    asset = assets().get(request.path_params["name"])
    if asset is None:
        return Response("not found", status_code=404, media_type="text/plain")
    headers = {
        # names carry the version (ours a content hash): a URL's content never changes
        "Cache-Control": "public, max-age=31536000, immutable",
        "ETag": f'W/"{asset.integrity[7:]}"',  # weak: gzip and identity share it
        "Vary": "Accept-Encoding",
        "X-Content-Type-Options": "nosniff",
    }
    if request.headers.get("if-none-match") == headers["ETag"]:
        return Response(status_code=304, headers=headers)
    body = asset.body
    if "gzip" in request.headers.get("accept-encoding", ""):
        body, headers["Content-Encoding"] = asset.gzipped, "gzip"
    return Response(body, media_type=asset.media_type, headers=headers)
