# ruff: noqa: E501
# (Paragraphs of page text, one to a line.)
"""The pages every Pipeline site has from its first ``migrate``: About, the accessibility
statement, the privacy notice and the terms of use, which the footer of every page links to.

``cms.services.site_pages_ensure`` makes them (after every ``migrate``) as ordinary Wagtail
pages that organisers edit in the admin. What they say must stay true of Pipeline: when the
software changes something they describe (what is tested, what is stored, which cookies are
set), change the text here too; sites whose page nobody has edited yet get it on their next
``migrate``. Their Welsh versions are in ``demo.cms_cy``, made by ``load_demo``.
"""

import datetime

REVIEWED = datetime.date(2026, 11, 20)
CONTACT = '<a href="mailto:pipeline@localgov.digital">pipeline@localgov.digital</a>'

ABOUT = f"""
<p>Councils across the UK solve the same problems: booking a bulky waste collection, applying for a parking permit, reporting a housing repair. Each council building its own version costs money and staff time that could go further.</p>
<p>Pipeline lets a council post the digital project it is working on and say what it needs: money, or days of a developer, designer, user researcher or other role. Other councils pledge what they can and join the maker team that builds it, so the service is built once and used by many.</p>
<h2>How it works</h2>
<ol>
<li>An officer at a council proposes a project: the problem, who the users are, what it will deliver and what it needs.</li>
<li>Officers at other councils pledge money or staff time on behalf of their council. The project team accepts or declines each pledge.</li>
<li>The team posts updates as the project moves through discovery, alpha, beta and live, so partners can see their contribution at work.</li>
</ol>
<h2>An open record</h2>
<p>Every pledge is recorded in an open ledger that is never edited or deleted, so a council's finance team can see what it has offered, what was accepted and what was delivered.</p>
<h2>Who runs Pipeline</h2>
<p>Pipeline is run by LocalGov Digital, a network of digital practitioners in local government. Organisers curate the projects featured on the home page and look after the community.</p>
<p>Council data contains data from mySociety (CC-BY-4.0). Contact us at {CONTACT}.</p>
"""

ACCESSIBILITY = f"""
<p>This accessibility statement applies to the Pipeline website at pipeline.localgov.digital, run by LocalGov Digital.</p>
<p>We want as many people as possible to be able to use this website. For example, that means you should be able to:</p>
<ul>
<li>change colours, contrast levels and fonts using browser or device settings</li>
<li>zoom in up to 400% without the text spilling off the screen</li>
<li>navigate the website using just a keyboard</li>
<li>use every part of the website with JavaScript turned off</li>
<li>use the website in English or in Welsh</li>
</ul>
<p>We have also made the text as simple as possible to understand. AbilityNet has advice on making your device easier to use if you have a disability.</p>
<h2>How accessible this website is</h2>
<p>We know some parts of this website are not fully accessible:</p>
<ul>
<li>the notes that officers add to pledges, to requests to join and to adopting a project are not marked with the language they are written in, so on the Welsh pages a screen reader may read English words as if they were Welsh</li>
<li>we have not yet tested the website with screen readers or speech recognition software</li>
<li>links to councils' own prototypes and code repositories go to websites we do not run, which may not be accessible</li>
</ul>
<h2>Feedback and contact information</h2>
<p>If you need information on this website in a different format like accessible PDF, large print, easy read, audio recording or braille, email {CONTACT}. Tell us the web address of the page, the format you need and how to send it to you. You can write to us in English or in Welsh.</p>
<p>We'll consider your request and get back to you in 5 working days.</p>
<h2>Reporting accessibility problems with this website</h2>
<p>We're always looking to improve the accessibility of this website. If you find any problems not listed on this page or think we're not meeting accessibility requirements, email {CONTACT}.</p>
<h2>Enforcement procedure</h2>
<p>The Equality and Human Rights Commission (EHRC) is responsible for enforcing the Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018 (the 'accessibility regulations'). If you're not happy with how we respond to your complaint, contact the Equality Advisory and Support Service (EASS).</p>
<p>If you are in Northern Ireland and are not happy with how we respond to your complaint, you can contact the Equality Commission for Northern Ireland.</p>
<h2>Technical information about this website's accessibility</h2>
<p>LocalGov Digital is committed to making its website accessible, in accordance with the Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018.</p>
<h3>Compliance status</h3>
<p>This website is partially compliant with the Web Content Accessibility Guidelines version 2.2 AA standard, due to the non-compliances listed below.</p>
<h2>Non-accessible content</h2>
<p>The content listed below is non-accessible for the following reasons.</p>
<h3>Non-compliance with the accessibility regulations</h3>
<p>The notes that officers write when they pledge, decide on a pledge, ask to join a team or record that their council has adopted a project are not marked with the language they are written in, because Pipeline does not ask which language that is. On the Welsh pages a screen reader reads them in Welsh even when they are in English. This fails WCAG 2.2 success criterion 3.1.2 (language of parts). Councils say which language each project is written in, and its name, summary, description, needs and updates are marked with that language. Pages that LocalGov Digital has not yet translated into Welsh are shown in English on the Welsh pages, and marked as English.</p>
<h3>Disproportionate burden</h3>
<p>We have not assessed any content as a disproportionate burden.</p>
<h3>Content that's not within the scope of the accessibility regulations</h3>
<p>Prototypes, code repositories and other websites that councils link to from their projects are run by those councils or by third parties. They are not within our control and their owners are responsible for their accessibility.</p>
<h2>What we're doing to improve accessibility</h2>
<p>Automated accessibility tests run on every change to the website before it is released, and a change that fails them is not released. Next we plan to test the website with screen readers and to fix the problems listed on this page. We will update this statement when we do.</p>
<h2>Preparation of this accessibility statement</h2>
<p>This statement was prepared on 20 November 2026. It was last updated on 22 November 2026, after the tests described below.</p>
<p>This website was last tested on 22 November 2026 against the WCAG 2.2 AA standard. The test was carried out by the Pipeline team at LocalGov Digital, using automated tests in a real browser.</p>
<p>The tests run axe-core 4.12 in the Chromium browser. It checks each page for failures of WCAG 2.0, 2.1 and 2.2 at levels A and AA, as a person sees the page. The pages tested are: the home page; the project listing with filters applied; a project page, signed out and signed in; a council page and the council directory; search results; a news page and a collection page; this statement; in Welsh, the home page, the project listing, a project page, this statement and a page not yet translated into Welsh; sign in and create an account, each with and without errors; the page shown when a page is not found; My Pipeline, your profile, editing your profile and personal API tokens; joining a council and joining a project's maker team; managing a project; every step of proposing a project, with its errors, the task list and the check your answers page; and pledging support, with its errors, the confirmation and the pledge's history. On 22 November 2026 axe-core found no failures on any of these pages.</p>
<p>The tests also check what axe-core does not: that each page has one main heading, a title and the right language; that labels, descriptions and links to errors lead to something that exists; and that the list of errors on a form takes focus and each error in it leads to its field. A keyboard test signs in and pledges support using only the Tab, Shift, Space and Enter keys and typing, and checks that the link to skip to the main content comes first and that every link, button and field on the way shows clearly when it has focus. Another test proposes a project and pledges support with JavaScript turned off. Another opens the busiest pages 320 pixels wide, which is like zooming to 400%, and checks that the page does not scroll sideways and that each wide table scrolls by itself and can be reached with the keyboard.</p>
<p>We have not yet tested:</p>
<ul>
<li>with screen readers (such as JAWS, NVDA or VoiceOver), screen magnifiers or speech recognition software</li>
<li>in browsers other than Chromium</li>
<li>the content editor that LocalGov Digital organisers use (the Wagtail admin)</li>
<li>the API documentation page (Swagger UI)</li>
<li>the pages council admins use to manage members, and the pages for deciding on pledges and requests to join a team</li>
<li>emails, RSS and Atom feeds, and CSV downloads</li>
</ul>
"""

PRIVACY = f"""
<p>This notice explains what information Pipeline holds about you, why, and your rights. LocalGov Digital is the data controller for Pipeline.</p>
<h2>What we hold</h2>
<ul>
<li>your name, job title and email addresses, so that you can sign in and we can contact you about your account, pledges and the projects you follow</li>
<li>the councils you belong to and your role in them, so that you can act for your council</li>
<li>the projects you propose, the pledges you make or decide, the teams you join and the updates you post</li>
<li>when you last used a personal API token, so that you can spot one you no longer use</li>
<li>the browsers you are signed in with: their internet (IP) address, the kind of browser and when each was last used, so that you can spot one that is not yours and sign it out</li>
</ul>
<p>You can download all of this as a file from your profile page ("Download my data").</p>
<h2>What is public</h2>
<p>Your name, job title and council are shown on the projects, pledges and teams you take part in. Pledges are a public record of what councils have offered each other, and the ledger of changes to a pledge is never deleted.</p>
<h2>Our lawful basis</h2>
<p>We process this information as part of a task in the public interest: helping councils share the cost of building digital services.</p>
<h2>How long we keep it</h2>
<p>We keep your account for as long as you use it. You can delete it yourself from your profile page ("Delete my account"), or email {CONTACT} and we will do it within 30 days.</p>
<h2>What happens when you delete your account</h2>
<p>Your name, job title, email addresses, password, council memberships, follows, team roles, notifications, API tokens and signed-in browsers are removed at once, and you are signed out everywhere.</p>
<p>What you did for your council stays: the pledges you made, the changes you recorded in the pledge ledger and the updates you posted. Councils use this record to see what they offered each other, what was accepted and what was delivered, so its totals and history must never change. Wherever it named you, it now says "a former officer" beside your council's name, and nothing in it can be linked back to you. Emails already sent to other people are not recalled.</p>
<p>One record keeps your name: the activity log, which only LocalGov Digital organisers can read. If you approved or refused someone's council membership, changed their role, or changed your council's email domains or limits, the log keeps who did it, so that those decisions can be checked later.</p>
<p>You can sign up again with the same email address afterwards; the new account starts empty.</p>
<h2>Your rights</h2>
<p>You can ask to see, correct or delete the information we hold about you, or object to how we use it, by emailing {CONTACT}. If you are unhappy with how we have used your information you can complain to the Information Commissioner's Office (ICO).</p>
<h2>Cookies</h2>
<p>Pipeline sets only the cookies it needs to work: one to keep you signed in, one to protect forms from misuse, and one to remember your language. We do not use analytics or advertising cookies.</p>
"""

TERMS = f"""
<p>By using Pipeline you agree to these terms. They are simple on purpose; email {CONTACT} with any question.</p>
<h2>Acting for your council</h2>
<p>Only act for a council you work for. Pledges are statements of intent between councils. They do not replace each council's own procurement, finance and legal rules, and each council remains responsible for following them.</p>
<h2>What you post</h2>
<ul>
<li>Content you post is published under the Open Government Licence v3.0 unless you say otherwise.</li>
<li>Do not post personal data about residents, or anything that is not yours to share.</li>
<li>Keep it civil. Organisers may hide a project that breaks these terms and will tell its owner why.</li>
</ul>
<h2>Our service</h2>
<p>We try to keep Pipeline available and correct but cannot promise it will always be. We may change these terms and will say so on this page.</p>
"""

STANDARD_PAGES = [
    (
        "about",
        "About Pipeline",
        "Pipeline helps UK councils build digital services once and share them.",
        ABOUT,
    ),
    (
        "accessibility",
        "Accessibility statement for Pipeline",
        "How accessible the Pipeline website is, what we are doing about it and how to ask "
        "for content in another format.",
        ACCESSIBILITY,
    ),
    ("privacy", "Privacy notice", "How Pipeline uses the information you give it.", PRIVACY),
    ("terms", "Terms of use", "The rules for using Pipeline.", TERMS),
]
