"""The built-in vocabulary the reader understands sentences with, in English, Arabic and Hebrew.

Words are written as news reports write them; matching folds case and diacritics and lets the first word carry an
Arabic or Hebrew clitic prefix (``text.variants``), so one form covers “الإغلاق”, “وإغلاق” and “بإغلاق”. Each entry
is a *cue*: what a word or phrase tells the reader about the clause it stands in. The status words editors keep in
the StatusPhrase table join these as ``STATUS`` cues (an editor's phrase wins where both spell the same words).
"""

from __future__ import annotations

from dataclasses import dataclass

# Cue kinds
STATUS = "status"  # says a status: "closed", "reopened", "أغلق", "נפתח"
NOT_STATUS = "not_status"  # looks like a status, is not: "opened fire", "close to"
MOVEMENT = "movement"  # traffic passing: "entered", "crossed", "دخلت", "נכנסו"
CARRIER = "carrier"  # what passes: "trucks", "convoy", "شاحنات", "משאיות"
RESTRICT = "restrict"  # narrows a status: "partially", "only", "limited", "جزئيا", "חלקית"
EXCEPT = "except"  # an exception follows: "except", "باستثناء", "למעט"
MODAL = "modal"  # not a fact yet: future, hedge, demand, plan, condition
PAST = "past"  # a superseded or historical state: "had", "previously", "until 2000"
STILL = "still"  # a continuing state: "remains", "still", "لا يزال", "עדיין"
CONTRAST = "contrast"  # "but", "however", "لكن", "אבל": a new clause that may qualify the last
BOUNDARY = "boundary"  # begins a subordinate or relative clause: "after", "which", "بعد", "לאחר"
NEGATION = "negation"
ANAPHOR = "anaphor"  # "the crossing", "المعبر", "המעבר": the crossing last named
UNTRACKED = "untracked"  # a crossing the tracker does not follow (Karni, Zikim ...): takes statuses, lends none
TRAFFIC = "traffic"
OBSTRUCT = "obstruct"  # acts on traffic without saying it passed: "delayed the entry of trucks"
ONE_SIDE = "one_side"  # "open on its side", "من الجانب المصري": one side of a crossing only


@dataclass(frozen=True, slots=True)
class Cue:
    kind: str
    status: str = ""  # STATUS: open / restricted / closed
    traffic: str = ""  # STATUS, TRAFFIC, CARRIER: the traffic it fixes, or ""
    form: str = ""  # STATUS: "state", "event", "noun" (nouns are more often planned or demanded than facts), "held"
    # (traffic held at the crossing); MOVEMENT: "across" (on the far side: only of trucks and goods), "arrive"
    # (passage only "through" the crossing);
    # MODAL: "future", "hedge", "demand", "condition", "plan", "purpose"; RESTRICT: "partial" (also narrows closed)
    needs_object: bool = False  # STATUS: only when a crossing follows at once (Arabic "فتح" is also Fatah)
    text: str = ""


def _cues(kind: str, texts: str, **fields: str | bool) -> list[tuple[str, Cue]]:
    """Cues of one kind from a "|"-separated list."""
    return [(t.strip(), Cue(kind, text=t.strip(), **fields)) for t in texts.split("|") if t.strip()]  # type: ignore[arg-type]


# --- statuses -------------------------------------------------------------------------------------------------

_STATUS = [
    # English
    *_cues(STATUS, "closed|shut|shuttered|sealed|sealed off|shut down|locked down", status="closed", form="state"),
    *_cues(
        STATUS,
        "closes|close|closing|shuts|shutting|seals|halted|halts|suspended|suspends|stopped|stops|blocked|blocks"
        "|barred|bars|paused|froze|frozen|ceased operations|stopped operating|stopped working|out of service"
        "|out of operation|not operating|non operational|inoperable|inoperative|has not operated|have not operated"
        "|not functioned|has not functioned|stopped functioning|not been operating|not been functioning",
        status="closed",
        form="event",
    ),
    *_cues(STATUS, "closure|closures|shutdown|shutdowns|suspension|halt", status="closed", form="noun"),
    *_cues(
        STATUS,
        "banned|prohibited|denied|refused|prevented|not allowed|not permitted|no longer allowed|turned back"
        "|נמנע|נמנעה|נאסר|נאסרה|אסרה|אסר",
        status="closed",
        form="event",
    ),
    *_cues(STATUS, "منع|منعت|يمنع|تمنع|رفض|رفضت|ترفض|يرفض", status="closed", form="event", needs_object=True),
    # Refusing to open is keeping shut: "Egypt refuses to open Rafah".
    *_cues(
        STATUS,
        "refuses to open|refused to open|refusing to open|refuses to reopen|refused to reopen|رفضت فتح|ترفض فتح"
        "|رفض فتح|يرفض فتح|מסרבת לפתוח|מסרב לפתוח|מסרבים לפתוח|סירבה לפתוח|סירב לפתוח",
        status="closed",
        form="event",
    ),
    *_cues(STATUS, "خارج الخدمه|خارج الخدمة|متوقفه|متوقفة", status="closed", form="state"),
    # The negation is part of the phrase: "not allowed" is a closure, not a negated opening.
    *_cues(
        STATUS,
        "لم يسمح|لا يسمح|لم يعد يسمح|لم تسمح|لا تسمح|לא מתאפשר|לא התאפשר|לא התאפשרה|לא מתאפשרת|לא הותר"
        "|לא הותרה|לא אושר",
        status="closed",
        form="event",
    ),
    *_cues(
        STATUS,
        "cut working hours|reduced working hours|reduced hours|opened intermittently|opens intermittently",
        status="restricted",
        form="event",
    ),
    *_cues(
        STATUS,
        "open|operational|functioning|operating|in operation|operated at|operates at",
        status="open",
        form="state",
    ),
    *_cues(
        STATUS,
        "opened|opens|reopen|reopened|reopens|resumed|resumes|resumed operations|resumed operating|back in operation",
        status="open",
        form="event",
    ),
    *_cues(STATUS, "opening|resumption|reopening|reopenings", status="open", form="noun"),
    *_cues(STATUS, "restricted|restricts|partially open|partly open", status="restricted", form="state"),
    *_cues(
        STATUS,
        "was limited|were limited|remains limited|remained limited|has been limited"
        "|have been limited|was curtailed|is curtailed|were curtailed",
        status="restricted",
        form="state",
    ),
    # Traffic held at a crossing has not passed: "trucks stuck at Kerem Shalom", "waiting to be let through".
    *_cues(
        STATUS,
        "stuck|stranded|waiting to be let through|waiting to be let in|waiting to enter|waiting to cross"
        "|waiting to be allowed|عالقه|عالقة|عالقين|العالقه|תקועות|תקועים",
        status="closed",
        form="held",
    ),
    *_cues(
        STATUS, "partially opened|partially reopened|partly reopened|partly opened", status="restricted", form="event"
    ),
    *_cues(STATUS, "largely closed|mostly closed|partially closed|partly closed", status="restricted", form="state"),
    # Arabic: closed
    *_cues(
        STATUS, "مغلق|مغلقا|مغلقه|مغلقة|مقفل|مقفلا|مقفله|مقفلة|موصد|موصدا|متوقف|متوقفا", status="closed", form="state"
    ),
    *_cues(
        STATUS,
        "اغلق|أغلق|اغلقت|أغلقت|أغلقت السلطات|اغلقوا|قفل|اقفل|أقفل|أقفلت|اوقف|أوقف|أوقفت|اوقفت|توقف|توقفت|علق|علقت"
        "|تم اغلاق|تم إغلاق|تم اقفال|يغلق|تغلق|اغلاقه|أغلقته|توقف العمل|توقفت الحركه|توقفت الحركة",
        status="closed",
        form="event",
    ),
    *_cues(
        STATUS, "إغلاق|اغلاق|الاغلاق|إقفال|اقفال|تعليق|إيقاف|ايقاف|وقف العمل|توقف عمل", status="closed", form="noun"
    ),
    # Arabic: open ("فتح" alone is also Fatah: only where a crossing or "its gates" follows)
    *_cues(STATUS, "مفتوح|مفتوحا|مفتوحه|مفتوحة|يعمل|تعمل", status="open", form="state"),
    *_cues(
        STATUS,
        "فتحت|فتحت ابوابه|فتح ابوابه|فتح ابواب|أعيد فتح|اعيد فتح|تم فتح|تمت اعاده فتح|تمت إعادة فتح|افتتح|افتتحت"
        "|تم افتتاح|استانف|استأنف|استأنفت|استانفت|استؤنف|استؤنفت|عاد للعمل|عاد إلى العمل|عاد الى العمل|اعيد تشغيل"
        "|أعيد تشغيل|يفتح ابوابه|تفتح ابوابها|فتح أبوابه|فتحت أبوابها|فتحت ابوابها|أعيد فتحه|اعيد فتحه|تم فتحه"
        "|اعيد فتحها|أعيد فتحها|أعادت فتح|اعادت فتح|أعاد فتح|اعاد فتح",
        status="open",
        form="event",
    ),
    *_cues(STATUS, "فتح", status="open", form="noun", needs_object=True),
    *_cues(
        STATUS,
        "إعادة فتح|اعاده فتح|اعادة فتح|افتتاح|استئناف العمل|استئناف عمل|استئناف الحركه|استئناف الحركة|إعادة تشغيل",
        status="open",
        form="noun",
    ),
    # Arabic: restricted
    *_cues(
        STATUS, "فتح جزئي|فتح جزئيا|مفتوح جزئيا|مغلق جزئيا|اغلاق جزئي|إغلاق جزئي", status="restricted", form="state"
    ),
    # Hebrew: closed
    *_cues(STATUS, "סגור|סגורה|סגורים|סגורות|חסום|חסומה|מושבת|מושבתת", status="closed", form="state"),
    *_cues(
        STATUS,
        "נסגר|נסגרה|נסגרו|סגר|סגרה|סגרו|חסמו|חסם|חסמה"
        "|נחסם|נחסמה|הושבת|הושבתה|הופסק|הופסקה|הפסיק לפעול|הפסיקה|הושהה|הושהתה|הוקפא",
        status="closed",
        form="event",
    ),
    *_cues(STATUS, "סגירת|סגירה|סגירתו|השבתת|הפסקת|עצירת", status="closed", form="noun"),
    # Hebrew: open
    *_cues(STATUS, "פתוח|פתוחה|פתוחים|פתוחות|פועל|פועלת|פעיל|פעילה", status="open", form="state"),
    *_cues(
        STATUS,
        "נפתח|נפתחה|נפתחו|פתח|פתחה|פתחו|נפתח מחדש|נפתחה מחדש|חודשה|חזר לפעול|חזרה לפעול|חידש|חידשה",
        status="open",
        form="event",
    ),
    *_cues(STATUS, "פתיחת|פתיחה|פתיחתו|חידוש|הפעלת", status="open", form="noun"),
    *_cues(STATUS, "פתוח חלקית|פתוחה חלקית|נפתח חלקית|נפתחה חלקית", status="restricted", form="state"),
]

_NOT_STATUS = _cues(
    NOT_STATUS,
    "opened fire|open fire|opens fire|opening fire|open letter|open question|opened an investigation|open investigation"
    "|open air|open-air|open source|open ended|in the open|open areas|open area|open spaces|opened talks|open talks"
    "|close to|close by|closely|close ties|close relations|close contact|close coordination|close cooperation"
    "|close range|closed door|closed doors|behind closed doors|closed session|closed meeting|closed military zone"
    "|ceasefire|cease fire|הפסקת האש|הפסקת אש|وقف اطلاق النار|وقف إطلاق النار|وقف النار"
    "|blocked the roads|blocked the road|blocked access|blocking access|blocked the entrance|חסמו את הגישה"
    "|חסמו את הכביש|חוסמים את הגישה|اغلقوا الطريق"
    "|closed area|closed zone|منطقه عسكريه مغلقه|منطقة عسكرية مغلقة|שטח צבאי סגור"
    "|opening remarks|opening statement|opening session|open session|bars and|operating room|operating rooms"
    "|operating theatre|operating theatres|operating procedures|military operations|fact finding"
    "|فتح النار|فتحوا النار|فتحت النار|فتح تحقيق|فتح تحقيقا|حركه فتح|حركة فتح|فتح وحماس|منظمه فتح|قياده فتح|وفد فتح"
    "|פתחו באש|פתח באש|פתחה באש|פתח בחקירה|פתחה בחקירה|פתיחת אש|פתיחת חקירה|פתח דבר",
)

# --- movement: traffic passing says the crossing is open for it ------------------------------------------------

_MOVEMENT = _cues(
    MOVEMENT,
    "entered|enter|enters|entering|crossed|crosses|passed|passes|passing|transferred"
    "|delivered|exited|exits|departed|departs|left|evacuated|made it through|went through|moved through|came through"
    "|brought in|were let in|were allowed in|allowed in|allowed through|let through|let in|rolled in|rolled through"
    "|flowed|flowing|trickled|trickling|being transferred|been transferred|were transferred|was transferred"
    "|routed|rerouted|diverted|came into|came in|went into|got into|get into|get through|got through|moving through"
    "|goes through|go through|going through|gone through|getting through|getting into|getting in|pass through"
    "|pass into|החלו לעבור|החלו להיכנס|התחילו לעבור|התחילו להיכנס"
    "|بدأت بالدخول|بدأت تدخل|بدأت بالعبور"
    "|moving into|allowed|permitted"
    "|leave|leaves|leaving|travel|travelled|traveled|transfer of|delivery of|deliveries of|pumped|pumped in"
    "|دخلت|دخل|دخول|تدخل|يدخل|عبرت|عبور|مرت|مرور|غادر|غادرت|غادروا|مغادره|مغادرة|خرج|خرجت|خروج|خرجوا"
    "|ادخلت|أدخلت|ادخال|إدخال|تم ادخال|تم إدخال|نقلت|نقل|تم نقل|سافر|سافرت|سفر|عاد|عادت|عودة|اجلاء|إجلاء|تم اجلاء"
    "|letting|allowing|enabling|permitting|מתאפשר מעבר|התאפשר מעבר|התאפשרה יציאה|מתאפשרת יציאה|יציאה|יציאת"
    "|נכנסו|נכנס|נכנסה|נכנסות|נכנסים|עברו|עוברות|עוברים|הוכנסו|הוכנס|הועברו|הועבר|הועברה|יצאו|יצא|יוצאים|חצו"
    "|פונו|הכנסת|העברת|כניסת|כניסה|מעבר של",
)
# Arriving is passing only by way of the crossing ("reached Gaza through Erez"): trucks that "arrived at Rafah" wait.
_ARRIVAL = _cues(MOVEMENT, "arrived|arrives|arriving|reached|وصلت|وصل|وصول|הגיעו", form="arrive")
# Hebrew "is allowed" (passage, exit): "מתאפשר המעבר רק לחולים". Whole words, so that "מתאפשר" is not read as
# מ + "תאפשר" (will allow).
_ALLOWED = _cues(MOVEMENT, "מתאפשר|מתאפשרת|מתאפשרים|מותר|מותרת")
# Having reached the Gaza side of a crossing is having crossed it: "trucks collected from the Palestinian side of
# Kerem Shalom".
_ACROSS = _cues(
    MOVEMENT,
    "the gaza side|the palestinian side|gaza s side|הצד הפלסטיני|הצד העזתי|الجانب الفلسطيني من معبر"
    "|الجانب الفلسطيني لمعبر",
    form="across",
)
# Nouns of traffic passing: "the movement of people and aid through Rafah".
_MOVEMENT_NOUNS = _cues(MOVEMENT, "movement of|movements of|passage of")
_USING = _cues(MOVEMENT, "still using|continue to use|continues to use|are using|is using", traffic="aid")
_CARRIER = [
    *_cues(
        CARRIER,
        "trucks|truck|lorries|lorry|truckloads|truckload|vehicles|convoy|convoys|shipments|shipment|consignments"
        "|loads|pallets|شاحنات|شاحنه|شاحنة|الشاحنات|قافله|قافلة|قوافل|القوافل|حمولات|مركبات|משאיות|משאית|שיירה"
        "|שיירות|משלוחים|משטחים",
    ),
    *_cues(CARRIER, "tankers|fuel tankers|tanker|صهاريج|صهريج|مكليات|מכליות|מכלית", traffic="fuel"),
    *_cues(CARRIER, "buses|bus|حافلات|حافله|حافلة|אוטובוסים|אוטובוס", traffic="people"),
]

# --- what narrows, excepts, contrasts ------------------------------------------------------------------------

_RESTRICT = [
    *_cues(
        RESTRICT,
        "partially|partly|partial|largely|mostly|almost completely|nearly completely|virtually|ברובו|ברובה"
        "|في معظمه|شبه تام|شبه كامل|بشكل شبه تام|בעיקרו"
        "|most of the time|for the most part|on specific occasions"
        "|occasionally|جزئيا|جزئي|جزئية|جزئيه|بشكل جزئي|معظم الوقت|חלקית|חלקי|באופן חלקי|רוב הזמן"
        "|most of the day|much of the day|part of the day|معظم اليوم|רוב היום|not all|not every|ليس كل|לא כל",
        form="partial",
    ),
    *_cues(
        RESTRICT,
        "only|solely|exclusively|limited|limit|limits|limiting|restricted|restriction|restrictions|restrict"
        "|reduced|reduced capacity|in one direction|one direction|one way|a trickle|trickle|handful|a few dozen"
        "|a few|small number|small numbers|limited number|capped|cap|intermittently|sporadically|selected"
        "|drop in the ocean|a drop in the ocean|insufficient|slowed|slowly|trickle of|fewer than|far below|well below"
        "|a fraction of|far short of|ابطا|أبطأ|تباطؤ|بطء|האט|האטה"
        "|فقط|محدود|محدوده|محدودة|محدودا|بشكل محدود|اقتصر|يقتصر|تقتصر|مقتصرا|مقتصره|قيود|تقييد|مقيد|مقيدا"
        "|اتجاه واحد|في اتجاه واحد|اعداد قليله|أعداد قليلة|عدد محدود|اعداد محدوده|أعداد محدودة|بضع|بضعه|بضعة"
        "|רק|בלבד|מוגבל|מוגבלת|מוגבלים|באופן מוגבל|בכיוון אחד|הגבלות|מצומצם|מצומצמת|מספר מצומצם|מעט",
    ),
]
_EXCEPT = _cues(
    EXCEPT,
    "except|excepting|except for|with the exception of|apart from|other than|save for|all but|excluding"
    "|باستثناء|استثناء|عدا|ما عدا|سوى|إلا|الا|למעט|פרט|חוץ|מלבד",
)
_CONTRAST = _cues(
    CONTRAST,
    "but|however|although|though|whereas|while|yet|nevertheless|even though|despite|لكن|ولكن|لكنه|لكنها|بيد|بينما"
    "|في حين|فيما|غير ان|غير أن|الا ان|إلا أن|رغم|بالرغم|على الرغم|אבל|אך|ואילו|בעוד|אולם|למרות|עם זאת",
)
_BOUNDARY = [
    *_cues(
        BOUNDARY,
        "before|because|as a result|amid|prompting|forcing|meaning|قبل|بسبب|مما|ما ادى|نتيجه|نتيجة|وسط|עקב|לפני|בשל"
        "|מאחר|כך ש",
    ),
    # The event after which something else happened is history where the sentence says what holds now.
    *_cues(BOUNDARY, "after|following|بعد|عقب|اثر|إثر|לאחר|אחרי", form="after"),
    # Relative clauses describe the crossing ("through which workers enter"): movement there is no news.
    *_cues(
        BOUNDARY,
        "which|who|where|through which|via which|الذي|التي|الذين|اللذين|אשר|שדרכו|שבו|שבה",
        form="relative",
    ),
]

# --- what makes a status not a fact (yet) ---------------------------------------------------------------------

_MODAL = [
    *_cues(
        MODAL,
        "will|would|could|shall|going to|about to|soon|tomorrow|next week|next month|in the coming|coming days"
        "|later this"
        "|سوف|سيتم|سيعاد|ستعيد|سيعيد|ستفتح|سيفتح|سيغلق|ستغلق|ستستانف|ستستأنف|سيستأنف|ستبدا|ستبدأ|سيبدأ|غدا"
        "|الاسبوع المقبل"
        "|الأسبوع المقبل|الايام المقبله|الأيام المقبلة|خلال الساعات المقبله|خلال الساعات المقبلة"
        "|ייפתח|יפתח|תיפתח|תפתח|ייסגר|יסגר|תיסגר|תסגור|יסגור|ייפתחו|יפתחו|ייסגרו|יסגרו|יחודש|תחודש|יחזור|תחזור|מחר"
        "|בשבוע הבא|בימים הקרובים|בקרוב|עתיד|עתידה|עתידים",
        form="future",
    ),
    *_cues(
        MODAL,
        "may|might|likely|unlikely|possible|possibly|probably|perhaps|expected|expects|expect|expecting"
        "|anticipated|anticipate|hoped|hopes|hope|hoping|believed to|said to be|appears|seems|rumoured|rumored"
        "|reportedly preparing|potential|potentially|whether|waiting for|awaiting|pending|would be considered"
        "|بانتظار|انتظار|ينتظرون|ينتظر|ממתינים|בהמתנה|מחכים|قد|ربما|من المتوقع|المتوقع|يتوقع|تتوقع|متوقع|توقعات|يرجح"
        "|من المرجح|المرجح|محتمل|يحتمل|احتمال|امكانيه|إمكانية|يامل|يأمل|تأمل|امل|أمل|צפוי|צפויה|צפויים|צפויות|עשוי"
        "|עשויה|עלול|עלולה|ייתכן|יתכן|אולי|ככל הנראה|כנראה|אפשרות|מקווה|מקווים|האם"
        "|denied reports|denies reports|denied that|denies that|denied claims|denying reports|نفى|نفت|ينفي|تنفي"
        "|הכחיש|הכחישה|מכחיש|מכחישה|הכחישו",
        form="hedge",
    ),
    *_cues(
        MODAL,
        "urged|urge|urges|urging|called for|call for|calls for|calling for|called on|calls on|demand|demands|demanded"
        "|demanding|asked|asks|appealed|appeal|appeals|pressed|pressing for|pushed|pushing|push for|should|must"
        "|need to|needs to|needed to|ought|insisted|insists|requested|request|requests|pleaded|pleas|plea|dire need"
        "|دعا|دعت|يدعو|تدعو|دعوه|دعوة|دعوات|طالب|طالبت|يطالب|تطالب|مطالبه|مطالبة|مطالبات|ناشد|ناشدت|يناشد|حث|حثت|يحث"
        "|يجب|ينبغي|ضروره|ضرورة|بضرورة|بضروره|الضغط|ضغط|للضغط|طلب|طلبت|يطلب|طالبنا|طالبوا|نطالب|يطالبون"
        "|opposes|opposed|מתנגדת|מתנגד|מתנגדים|לחצו|להזרים|להכניס|להעביר|לחסום|supposed to|meant to|supposed"
        "|سينظر|ستنظر|سيسمح|ستسمح|سيجري|سيكون|ستكون|على ان|على أن"
        "|דרש|דרשה|דורש|דורשת|דורשים|דרישה|קרא|קראה|קורא|קוראת|קריאה|הפציר|הפצירה|צריך|צריכה|חייב|חייבת|יש לפתוח"
        "|יש לסגור|לחץ|לחצה|לוחץ",
        form="demand",
    ),
    *_cues(
        MODAL,
        "plan|plans|planned|planning|scheduled|slated|intends|intend|intended|intention|aims|aim|prepare|prepares"
        "|preparing|preparations|ready to|prepared to|agreed|agrees|agreement|deal|approved|approves|approval"
        "|decided|decision|proposal|proposed|proposes|considering|consider|considers|mulling|discussed|discussing"
        "|discuss|threatened|threatens|threat|vowed|vows|promised|promises|pledged"
        "|offered|would allow|ahead of|in order to|the idea|tried|attempted|attempt|attempts|trying|sought"
        "|to stop|to block|to prevent|stipulates|stipulated|provides for|نص|ينص|تنص|نصت|الفكره|فكره|حاولوا|حاول"
        "|حاولت|محاوله|محاولات|ניסו|ניסה|ניסיון|כדי|upcoming|imminent|קרובה|הקרובה|המתוכננת"
        "|من المقرر|المقرر|مقرر|تعتزم|يعتزم|تنوي|ينوي|تخطط|يخطط|خطه|خطة|وافق|وافقت|موافقه|موافقة"
        "|مقترح|اقتراح|قرار|قررت|قرر|تهدد|هدد|هددت|وعد|وعدت|تعهد|تعهدت|استعدادات|استعداد|تمهيدا|للسماح"
        "|بالسماح|السماح|مخطط|מתוכנן|מתוכננת|תוכנית|בכוונת|מתכוון|מתכוונת|מתכוונים|אמור|אמורה|אמורים"
        "|הסכים|הסכימה|אישר|אישרה|אושר|אושרה|הוחלט|החליט|החליטה|החלטה|הצעה|איים|איימה|הבטיח"
        "|הבטיחה|התחייב|התחייבה|לאפשר|יאפשר|תאפשר|היערכות|נערך|נערכת",
        form="plan",
    ),
    *_cues(
        MODAL,
        "if|unless|whenever|when|once|in case|in the event|provided|as soon as|until it|اذا|إذا|لو|في حال|فور|بمجرد"
        "|ما لم|בכל פעם|בזמן הסלמות|בעתות"
        "|عندما|حين|متى|אם|במידה|ברגע ש|כאשר|כשה|לכשה",
        form="condition",
    ),
    # Infinitives and purpose forms: "to reopen", "لفتح", "לפתוח" are wanted, planned or demanded, not done.
    *_cues(
        MODAL,
        "لفتح|لاعاده فتح|لإعادة فتح|لاغلاق|لإغلاق|لاعادة فتح|ان يتم|أن يتم|ان تفتح|أن تفتح|ان يفتح|أن يفتح|ان يعاد"
        "|أن يعاد|ان تعيد|أن تعيد|ان يغلق|أن يغلق|ان تغلق|أن تغلق|ان تستأنف|أن تستأنف|ان يستانف|أن يستأنف"
        "|الى فتح|إلى فتح"
        "|الى اعاده فتح|إلى إعادة فتح|لفتحه|לפתוח|להיפתח|לסגור|להיסגר|לפתיחת|לסגירת|לחדש|להפעיל|לאפשר את"
        "|لتمكين|لتسهيل|لاتاحه|لإتاحة|لمنع|لوقف|لعرقلة|لعرقله",
        form="purpose",
    ),
]
# The same infinitives of opening are opening words too, always unreal ("to open" is meant, not done) except when
# denied: "decided not to open Rafah", "שלא לפתוח את המעבר" say it stays shut.
_UNREAL_OPENINGS = _cues(
    STATUS,
    "لفتح|لاعاده فتح|لإعادة فتح|لاعادة فتح|ان تفتح|أن تفتح|ان يفتح|أن يفتح|الى فتح|إلى فتح|الى اعاده فتح"
    "|إلى إعادة فتح|لفتحه|לפתוח|להיפתח|לפתיחת",
    status="open",
    form="noun",
)
# A fixed schedule is no news of today: "closed every Friday and Saturday".
_HABIT = _cues(
    MODAL,
    "often|frequently|regularly|repeatedly|usually|routinely|sometimes|غالبا|عادة|عاده|לעתים קרובות|בדרך כלל"
    "|every friday|every saturday|every sunday|every week|on fridays|on saturdays|weekends|on weekends|each week"
    "|كل جمعه|كل يوم جمعه|ايام الجمعه والسبت|أيام الجمعة والسبت|בכל שבוע|בסופי שבוע|בסוף השבוע",
    form="habit",
)
_PAST = _cues(
    PAST,
    "had|previously|formerly|used to|in the past|until recently|years ago|decades ago|back in|at the time|historically"
    "|earlier in the war|before the war|before the conflict|prior to the war|pre war|until the war|until the conflict"
    "|briefly|قبل الحرب|قبل العدوان"
    "|لفتره وجيزه|لفترة وجيزة|كان|كانت|לפני המלחמה|לזמן קצר"
    "|سابقا|في السابق|قبل سنوات|فيما مضى|حتى عام|حتى العام|في الماضي|كان قد|كانت قد"
    "|בעבר|לפני שנים|עד שנת|עד לשנת|בשעתו|באותה עת",
)
_WEAK_PAST = _cues(PAST, "היה|היתה|הייתה|היו", form="weak")
_STILL = _cues(
    STILL,
    "remains|remain|remained|still|continues|continue|continued|continuing|kept|keeps|has been|have been|since"
    "|لا يزال|لا تزال|ما زال|ما زالت|مازال|مازالت|ما يزال|ما تزال|لازال|لازالت|ظل|ظلت|يظل|تظل|منذ|يواصل|تواصل|استمرار"
    "|עדיין|נותר|נותרה|נשאר|נשארה|ממשיך|ממשיכה"
    "|מאז|עודנו|עודנה|since the|until further notice|indefinitely|الى اجل غير مسمى"
    "|إلى أجل غير مسمى|اجل غير مسمى|غير مسمى|حتى اشعار اخر|حتى إشعار آخر|עד להודעה חדשה|עד הודעה חדשה"
    "|will remain|will stay|will continue to be|would remain"
    "|extend|extended|extending|להאריך|הארכת|האריך|האריכה"
    "|will be kept|سيبقى|ستبقى|سيظل|ستظل|سيستمر|ستستمر|יישאר|תישאר|ייוותר|תיוותר",
)
_NEGATION = _cues(
    NEGATION,
    "not|no|never|nor|t|cannot|unable|without|neither|لم|لن|لا|ليس|ليست|عدم|غير|دون|بدون|لا يتم"
    "|לא|אין|טרם|בלי|ללא|מבלי",
)
_ANAPHOR = _cues(
    ANAPHOR,
    "the crossing|the border crossing|the crossing point|the terminal|the passage|the crossing s|this crossing"
    "|the egyptian border crossing|the crucial crossing|the main crossing|the vital crossing|the key crossing"
    "|the same crossing|the land crossing|the egyptian crossing|the israeli crossing|the entry point"
    "|that crossing|the gate|the crossing itself|المعبر|هذا المعبر|المعبر الحدودي|المنفذ|המעבר|מעבר הגבול|המעבר הזה",
)
# Two crossings named just before, taken up together: "Both are closed".
_BOTH = _cues(
    ANAPHOR,
    "both are|both were|both have been|both had been|both of them|both crossings|كلاهما|كلا المعبرين|المعبرين"
    "|שניהם|שני המעברים",
    form="both",
)
_OBSTRUCT = _cues(
    OBSTRUCT,
    "delayed|delaying|delays|held up|holding up|hampered|hampering|hindered|hindering|obstructed|obstructing"
    "|أخرت|اخرت|أخر|عطلت|عطل|عرقلت|عرقل|تعيق|يعيق|أعاق|اعاق|עיכבו|עיכב|עיכבה|מעכבים|שיבשו|שיבש|הקשו",
)
_ONE_SIDE = _cues(
    ONE_SIDE,
    "on its side|from its side|on the egyptian side|from the egyptian side|on our side|from our side|on their side"
    "|من جانبها|من جانبه|من الجانب المصري|على الجانب المصري|في الجانب المصري|בצד המצרי|מהצד המצרי|מצדה|מצדם",
)
_UNTRACKED = _cues(
    UNTRACKED,
    "karni|karni crossing|awja|awja crossing|erez west|western erez|west erez|zikim|zikim crossing"
    "|allenby|allenby bridge|king hussein bridge|nitzana|nitzana crossing"
    "|al awja|al auja|sufa|sufa crossing|kissufim|kissufim crossing|nahal oz|salah al din gate|salah ad din gate"
    "|gate 96|tarqumiya|sheikh hussein|jordan river crossing|damiya bridge|taba|taba crossing|eilat|ashdod"
    "|ashdod port|the sea|cyprus|pier|the pier|floating pier|jetty|airdrops|airdrop|corridor|the corridor"
    "|المنطار|معبر المنطار|معبر كارني|كارني|زيكيم|معبر زيكيم|اللنبي|جسر اللنبي|جسر الملك حسين|الكرامه|معبر الكرامه"
    "|العوجه|معبر العوجه|نيتسانا|صوفا|معبر صوفا|كيسوفيم|كوسوفيم|بوابه صلاح الدين|ميناء اسدود|الممر البحري|الرصيف"
    "|طابا|معبر طابا|קרני|מעבר קרני|זיקים|מעבר זיקים|אלנבי|גשר אלנבי|ניצנה|מעבר ניצנה|סופה|כיסופים|נחל עוז"
    "|נמל אשדוד|המזח|מסדרון|אילת",
)
# A traffic word right after these describes the crossing ("the goods crossing" reads "crossing" first in Arabic and
# Hebrew: "معبر البضائع", "מעבר הסחורות"), and after "crossing for" names what it usually carries: neither narrows
# the status.
DESCRIBE_HEADS = frozenset(
    ("crossing", "crossings", "terminal", "route", "point", "gateway", "lifeline", "conduit", "artery", "hub", "entry")
)
# Words before "crossing" that make "crossing for X" a description: "the main crossing for goods".
DESCRIPTORS = frozenset(
    ("main", "only", "key", "primary", "principal", "major", "sole", "vital", "crucial", "commercial", "s", "a")
)
DESCRIBE_HEADS_BEFORE = frozenset(("معبر", "المعبر", "المعابر", "منفذ", "מעבר", "המעבר", "מסוף", "מעברי"))

# --- traffic --------------------------------------------------------------------------------------------------

TRAFFIC_WORDS: dict[str, tuple[str, ...]] = {
    "people": (
        "people", "persons", "passengers", "travellers", "travelers", "evacuees", "evacuation", "evacuations",
        "civilians", "pedestrians", "foreigners", "foreign nationals", "dual nationals", "dual citizens",
        "passport holders", "wounded", "injured", "patients", "sick", "residents", "pilgrims", "students",
        "merchants", "traders", "businessmen", "business people", "workers", "labourers", "laborers", "aid workers",
        "humanitarian workers", "staff", "journalists", "families", "children", "individuals", "travel",
        "citizens", "palestinians", "americans", "nationals", "departures", "returnees", "exit",
        "مسافرين", "المسافرين", "المسافرون", "مسافرا", "مسافر", "مسافرون",
        "الافراد", "حاملي الجنسيات", "حمله الجنسيات", "الجنسيات المزدوجه",
        "مزدوجي الجنسيه", "حاملي جوازات", "جريحا", "جريح", "مريضا", "مريض", "شخصا",
        "humanitarian aid workers", "humanitarian cases",
        "international aid workers", "un staff", "foreign passport holders", "sick people",
        "الجرحى", "جرحى", "المرضى", "مرضى", "العالقين", "الاجانب",
        "المواطنين", "حملة الجوازات", "التجار", "تجار", "رجال الاعمال", "العمال", "عمال", "المدنيين", "الحجاج",
        "المعتمرين", "الطلاب", "الطلبه", "المغادرين", "العائدين", "المصابين", "مصابين", "الحالات الانسانيه", "سفر",
        "الفلسطينيين", "الرعايا", "مزدوجي الجنسيه", "حمله الجنسيات", "الأفراد", "الاشخاص", "الأشخاص", "اشخاص",
        "אנשים", "נוסעים", "אזרחים", "פצועים", "חולים", "זרים", "תושבים", "מפונים", "סוחרים", "עובדים", "פועלים",
        "הולכי רגל", "פלסטינים", "מטופלים", "בעלי אזרחות כפולה",
    ),
    "aid": (
        "aid", "humanitarian aid", "humanitarian assistance", "humanitarian supplies", "humanitarian goods",
        "humanitarian cargo", "humanitarian trucks", "humanitarian convoy", "humanitarian convoys", "relief",
        "assistance", "supplies", "food", "medicine", "medicines", "medical supplies", "medical equipment", "flour",
        "water", "tents", "shelter",
        "مساعدات", "المساعدات", "الاغاثه", "اغاثه", "الاغاثيه", "قوافل", "القوافل", "المعونات", "معونات", "الاغذيه",
        "المواد الغذائيه", "الادويه", "ادويه", "الامدادات", "امدادات", "الطحين", "الدقيق",
        "סיוע", "סיוע הומניטרי", "אספקה", "מזון", "תרופות", "ציוד רפואי", "הומניטרי", "הומניטרית",
    ),
    "fuel": (
        "fuel", "fuel supplies", "fuel trucks", "diesel", "gasoline", "petrol", "cooking gas", "gas",
        "وقود", "الوقود", "السولار", "البنزين", "الغاز", "غاز الطهي", "المحروقات",
        "דלק", "סולר", "בנזין", "גז", "גז בישול",
    ),
    "commercial": (
        "commercial", "goods", "commercial goods", "trade", "imports", "exports", "cargo", "private sector",
        "commodities", "products", "construction materials", "commercial trucks", "commercial traffic",
        "بضائع", "البضائع", "التجاريه", "التجاري", "السلع", "سلع", "الواردات", "الصادرات", "القطاع الخاص",
        "סחורות", "סחורה", "מסחרי", "מסחרית", "מסחריות", "יבוא", "יצוא", "המגזר הפרטי",
    ),
}  # fmt: skip
# Words with a traffic word inside that name no traffic: "aid agencies" are not aid passing.
_NOT_TRAFFIC = _cues(
    "other",
    "humanitarian aid organisations|humanitarian aid organizations|un humanitarian aid|aid organisations"
    "|aid organizations|aid agencies|aid groups|aid officials|aid work|relief agencies"
    "|humanitarian organisations|humanitarian organizations|humanitarian situation|humanitarian crisis"
    "|humanitarian affairs|humanitarian pause|humanitarian law|humanitarian catastrophe|aid sector|منظمات الاغاثه"
    "|منظمات الإغاثة|ארגוני הסיוע|ארגוני סיוע|الوضع الانساني|الازمه الانسانيه",
)
# "على أن" is "provided that" (a condition) except after a verb of saying, where it is only "that": "stressing that
# Rafah will stay closed" reports a state.
_SAID_THAT = _cues(
    "other",
    "شدد على ان|شدد على أن|شددت على ان|شددت على أن|مشددا على ان|مشددا على أن|مشددة على أن|أكد على أن|اكد على ان"
    "|أكدت على أن|اكدت على ان|مؤكدا على ان|مؤكدا على أن|مؤكدة على أن",
)
_TRAFFIC = [(text, Cue(TRAFFIC, traffic=kind, text=text)) for kind, texts in TRAFFIC_WORDS.items() for text in texts]
# What reports on aid mean by "access" and "entry" at a crossing when they name nothing else: "access at Kerem Shalom
# was limited". Any other traffic word in the clause says more, and these then say nothing.
_WEAK_TRAFFIC = _cues(TRAFFIC, "access|entry|humanitarian access|delivery|deliveries", traffic="aid", form="weak")

# Every cue, in one table: several kinds may share words (“only” restricts, and is no status).
CUES: list[tuple[str, Cue]] = [
    *_STATUS,
    *_NOT_STATUS,
    *_MOVEMENT,
    *_USING,
    *_ARRIVAL,
    *_ACROSS,
    *_MOVEMENT_NOUNS,
    *_ALLOWED,
    *_CARRIER,
    *_RESTRICT,
    *_EXCEPT,
    *_CONTRAST,
    *_BOUNDARY,
    *_MODAL,
    *_UNREAL_OPENINGS,
    *_HABIT,
    *_PAST,
    *_WEAK_PAST,
    *_STILL,
    *_NEGATION,
    *_ANAPHOR,
    *_BOTH,
    *_ONE_SIDE,
    *_OBSTRUCT,
    *_UNTRACKED,
    *_TRAFFIC,
    *_NOT_TRAFFIC,
    *_WEAK_TRAFFIC,
    *_SAID_THAT,
]
# Kinds of short function words that must not be read inside longer words ("امل", hope, in "كامل", complete).
FUNCTION_WORDS = frozenset((MODAL, PAST, STILL, BOUNDARY, CONTRAST, EXCEPT))
NEGATIONS = frozenset(text for text, _ in _NEGATION if " " not in text)
# Arabic "لا"/"ما" before these is "still", not a negation: "لا يزال مغلقا" (it is still closed).
STILL_AFTER_NEGATION = frozenset(("يزال", "تزال", "زال", "زالت", "يزالان", "تزالان", "يزالون"))
# English words after "only" that make it describe a thing, not narrow a status: "the only crossing".
ONLY_DESCRIBES = frozenset(
    ("crossing", "crossings", "exit", "route", "way", "gateway", "entry", "lifeline", "point", "window", "one", "link")
)
# Mentions of the crossing "as a whole" go with these words when they stand alone between names.
COORDINATION = frozenset(
    ("and", "or", "both", "as", "well", "crossings", "crossing", "the", "و", "او", "أو", "ו", "או")
)
