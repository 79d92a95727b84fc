# ruff: noqa: E501
# (Paragraphs of page text, one to a line.)
"""The Welsh versions of the demo's home page and standard pages (``demo.cms`` makes them).

Full translations of the English pages in ``cms.site_pages``, slug for slug, so /cy/about/ is the
Welsh "About" page. Keep the two in step when either changes.
"""

CONTACT = '<a href="mailto:pipeline@localgov.digital">pipeline@localgov.digital</a>'

HERO_HEADING = "Adeiladu unwaith, gyda'n gilydd"
HERO_TEXT = (
    "Mae cynghorau ledled y DU yn rhannu'r prosiectau digidol y maen nhw'n gweithio arnyn nhw, "
    "yn addo arian ac amser staff i brosiectau ei gilydd, ac yn eu hadeiladu mewn timau "
    "gwneuthurwyr agored."
)
FEATURED_HEADING = "Prosiectau dan sylw"
CALL_TO_ACTION = {
    "heading": "Oes gennych chi brosiect y mae ar gynghorau eraill ei angen?",
    "text": "Cynigiwch ef, dywedwch beth sydd ei angen arno, a gadewch i gynghorau eraill addo arian ac amser staff.",
    "link_text": "Cynnig prosiect",
    "link_url": "/cy/projects/new/",
}

ABOUT = f"""
<p>Mae cynghorau ledled y DU yn datrys yr un problemau: trefnu casgliad gwastraff swmpus, gwneud cais am drwydded barcio, rhoi gwybod am waith atgyweirio tai. Mae'n costio arian ac amser staff i bob cyngor adeiladu ei fersiwn ei hun, a gellid defnyddio'r rheini'n well.</p>
<p>Mae Pipeline yn galluogi cyngor i gyhoeddi'r prosiect digidol y mae'n gweithio arno a dweud beth sydd ei angen arno: arian, neu ddyddiau o amser datblygwr, dylunydd, ymchwilydd defnyddwyr neu rôl arall. Mae cynghorau eraill yn addo'r hyn a allant ac yn ymuno â'r tîm gwneuthurwyr sy'n ei adeiladu, fel bod y gwasanaeth yn cael ei adeiladu unwaith a'i ddefnyddio gan lawer.</p>
<h2>Sut mae'n gweithio</h2>
<ol>
<li>Mae swyddog mewn cyngor yn cynnig prosiect: y broblem, pwy yw'r defnyddwyr, beth fydd yn ei gyflawni a beth sydd ei angen arno.</li>
<li>Mae swyddogion mewn cynghorau eraill yn addo arian neu amser staff ar ran eu cyngor. Mae tîm y prosiect yn derbyn neu'n gwrthod pob addewid.</li>
<li>Mae'r tîm yn cyhoeddi diweddariadau wrth i'r prosiect symud drwy'r camau darganfod, alffa, beta a byw, fel y gall partneriaid weld eu cyfraniad ar waith.</li>
</ol>
<h2>Cofnod agored</h2>
<p>Caiff pob addewid ei gofnodi mewn cyfriflyfr agored na chaiff byth ei olygu na'i ddileu, fel y gall tîm cyllid cyngor weld beth mae wedi'i gynnig, beth a dderbyniwyd a beth a gyflawnwyd.</p>
<h2>Pwy sy'n rhedeg Pipeline</h2>
<p>Caiff Pipeline ei redeg gan LocalGov Digital, rhwydwaith o ymarferwyr digidol mewn llywodraeth leol. Mae trefnwyr yn dewis y prosiectau sy'n cael sylw ar yr hafan ac yn gofalu am y gymuned.</p>
<p>Mae data'r cynghorau yn cynnwys data gan mySociety (CC-BY-4.0). Cysylltwch â ni: {CONTACT}.</p>
"""

ACCESSIBILITY = f"""
<p>Mae'r datganiad hygyrchedd hwn yn berthnasol i wefan Pipeline yn pipeline.localgov.digital, sy'n cael ei rhedeg gan LocalGov Digital.</p>
<p>Rydym am i gynifer o bobl â phosibl allu defnyddio'r wefan hon. Er enghraifft, mae hynny'n golygu y dylech allu:</p>
<ul>
<li>newid lliwiau, lefelau cyferbyniad a ffontiau gan ddefnyddio gosodiadau eich porwr neu'ch dyfais</li>
<li>chwyddo hyd at 400% heb i'r testun fynd oddi ar y sgrin</li>
<li>symud o gwmpas y wefan gan ddefnyddio bysellfwrdd yn unig</li>
<li>defnyddio pob rhan o'r wefan heb JavaScript</li>
<li>defnyddio'r wefan yn Gymraeg neu yn Saesneg</li>
</ul>
<p>Rydym hefyd wedi gwneud y testun mor syml i'w ddeall â phosibl. Mae gan AbilityNet gyngor ar wneud eich dyfais yn haws i'w defnyddio os oes gennych anabledd.</p>
<h2>Pa mor hygyrch yw'r wefan hon</h2>
<p>Gwyddom nad yw rhai rhannau o'r wefan hon yn gwbl hygyrch:</p>
<ul>
<li>nid yw'r nodiadau y mae swyddogion yn eu hychwanegu at addewidion, at geisiadau i ymuno ac at fabwysiadu prosiect wedi'u marcio â'r iaith y maent wedi'u hysgrifennu ynddi, felly ar y tudalennau Cymraeg gall darllenydd sgrin ddarllen geiriau Saesneg fel pe baent yn Gymraeg</li>
<li>nid ydym eto wedi profi'r wefan gyda darllenwyr sgrin na meddalwedd adnabod lleferydd</li>
<li>mae dolenni i brototeipiau a storfeydd cod y cynghorau eu hunain yn mynd i wefannau nad ydym yn eu rhedeg, ac efallai nad ydynt yn hygyrch</li>
</ul>
<h2>Adborth a gwybodaeth gyswllt</h2>
<p>Os oes arnoch angen gwybodaeth ar y wefan hon mewn fformat gwahanol, fel PDF hygyrch, print bras, fersiwn hawdd ei deall, recordiad sain neu braille, anfonwch e-bost at {CONTACT}. Dywedwch wrthym beth yw cyfeiriad gwe'r dudalen, pa fformat sydd ei angen arnoch a sut i'w anfon atoch. Gallwch ysgrifennu atom yn Gymraeg neu yn Saesneg.</p>
<p>Byddwn yn ystyried eich cais ac yn cysylltu â chi cyn pen 5 diwrnod gwaith.</p>
<h2>Rhoi gwybod am broblemau hygyrchedd gyda'r wefan hon</h2>
<p>Rydym bob amser yn ceisio gwella hygyrchedd y wefan hon. Os dewch o hyd i unrhyw broblemau nad ydynt wedi'u rhestru ar y dudalen hon, neu os credwch nad ydym yn bodloni'r gofynion hygyrchedd, anfonwch e-bost at {CONTACT}.</p>
<h2>Y drefn orfodi</h2>
<p>Y Comisiwn Cydraddoldeb a Hawliau Dynol (EHRC) sy'n gyfrifol am orfodi Rheoliadau Hygyrchedd Cyrff y Sector Cyhoeddus (Gwefannau a Chymwysiadau Symudol) (Rhif 2) 2018 (y 'rheoliadau hygyrchedd'). Os nad ydych yn fodlon ar y ffordd rydym yn ymateb i'ch cwyn, cysylltwch â'r Gwasanaeth Cynghori a Chymorth Cydraddoldeb (EASS).</p>
<p>Os ydych yng Ngogledd Iwerddon ac nad ydych yn fodlon ar y ffordd rydym yn ymateb i'ch cwyn, gallwch gysylltu â Chomisiwn Cydraddoldeb Gogledd Iwerddon.</p>
<h2>Gwybodaeth dechnegol am hygyrchedd y wefan hon</h2>
<p>Mae LocalGov Digital wedi ymrwymo i wneud ei gwefan yn hygyrch, yn unol â Rheoliadau Hygyrchedd Cyrff y Sector Cyhoeddus (Gwefannau a Chymwysiadau Symudol) (Rhif 2) 2018.</p>
<h3>Statws cydymffurfio</h3>
<p>Mae'r wefan hon yn cydymffurfio'n rhannol â safon AA fersiwn 2.2 o Ganllawiau Hygyrchedd Cynnwys y We, oherwydd yr achosion o beidio â chydymffurfio a restrir isod.</p>
<h2>Cynnwys nad yw'n hygyrch</h2>
<p>Nid yw'r cynnwys a restrir isod yn hygyrch am y rhesymau canlynol.</p>
<h3>Peidio â chydymffurfio â'r rheoliadau hygyrchedd</h3>
<p>Nid yw'r nodiadau y mae swyddogion yn eu hysgrifennu wrth addo cefnogaeth, wrth benderfynu ar addewid, wrth ofyn am gael ymuno â thîm neu wrth gofnodi bod eu cyngor wedi mabwysiadu prosiect wedi'u marcio â'r iaith y maent wedi'u hysgrifennu ynddi, oherwydd nid yw Pipeline yn gofyn pa iaith yw honno. Ar y tudalennau Cymraeg mae darllenydd sgrin yn eu darllen yn Gymraeg hyd yn oed pan fyddant yn Saesneg. Mae hyn yn methu maen prawf llwyddiant 3.1.2 WCAG 2.2 (iaith rhannau). Mae cynghorau'n dweud ym mha iaith y mae pob prosiect wedi'i ysgrifennu, ac mae ei enw, ei grynodeb, ei ddisgrifiad, ei anghenion a'i ddiweddariadau wedi'u marcio â'r iaith honno. Mae tudalennau nad yw LocalGov Digital wedi'u cyfieithu i'r Gymraeg eto yn cael eu dangos yn Saesneg ar y tudalennau Cymraeg, wedi'u marcio fel Saesneg.</p>
<h3>Baich anghymesur</h3>
<p>Nid ydym wedi asesu bod unrhyw gynnwys yn faich anghymesur.</p>
<h3>Cynnwys nad yw o fewn cwmpas y rheoliadau hygyrchedd</h3>
<p>Mae prototeipiau, storfeydd cod a gwefannau eraill y mae cynghorau'n cysylltu â nhw o'u prosiectau yn cael eu rhedeg gan y cynghorau hynny neu gan drydydd partïon. Nid ydynt o dan ein rheolaeth, a'u perchnogion sy'n gyfrifol am eu hygyrchedd.</p>
<h2>Beth rydym yn ei wneud i wella hygyrchedd</h2>
<p>Mae profion hygyrchedd awtomataidd yn rhedeg ar bob newid i'r wefan cyn iddo gael ei ryddhau, ac nid yw newid sy'n methu'r profion yn cael ei ryddhau. Nesaf rydym yn bwriadu profi'r wefan gyda darllenwyr sgrin a thrwsio'r problemau a restrir ar y dudalen hon. Byddwn yn diweddaru'r datganiad hwn pan fyddwn yn gwneud hynny.</p>
<h2>Paratoi'r datganiad hygyrchedd hwn</h2>
<p>Paratowyd y datganiad hwn ar 20 Tachwedd 2026. Cafodd ei ddiweddaru ddiwethaf ar 22 Tachwedd 2026, ar ôl y profion a ddisgrifir isod.</p>
<p>Profwyd y wefan hon ddiwethaf ar 22 Tachwedd 2026 yn erbyn safon AA WCAG 2.2. Cynhaliwyd y prawf gan dîm Pipeline yn LocalGov Digital, gan ddefnyddio profion awtomataidd mewn porwr go iawn.</p>
<p>Mae'r profion yn rhedeg axe-core 4.12 ym mhorwr Chromium. Mae'n gwirio pob tudalen am achosion o fethu WCAG 2.0, 2.1 a 2.2 ar lefelau A ac AA, fel y mae person yn gweld y dudalen. Y tudalennau a brofwyd yw: yr hafan; y rhestr o brosiectau gyda hidlyddion wedi'u dewis; tudalen prosiect, wedi allgofnodi ac wedi mewngofnodi; tudalen cyngor a'r cyfeiriadur cynghorau; canlyniadau chwilio; tudalen newyddion a thudalen casgliad; y datganiad hwn; yn Gymraeg, yr hafan, y rhestr o brosiectau, tudalen prosiect, y datganiad hwn a thudalen nad yw wedi'i chyfieithu i'r Gymraeg eto; mewngofnodi a chreu cyfrif, gyda gwallau a hebddynt; y dudalen a ddangosir pan na ellir dod o hyd i dudalen; Fy Pipeline, eich proffil, golygu eich proffil a thocynnau API personol; ymuno â chyngor ac ymuno â thîm gwneuthurwyr prosiect; rheoli prosiect; pob cam o gynnig prosiect, gyda'i wallau, y rhestr dasgau a'r dudalen gwirio eich atebion; ac addo cefnogaeth, gyda'i wallau, y cadarnhad a hanes yr addewid. Ar 22 Tachwedd 2026 ni chanfu axe-core unrhyw fethiannau ar unrhyw un o'r tudalennau hyn.</p>
<p>Mae'r profion hefyd yn gwirio'r hyn nad yw axe-core yn ei wirio: bod gan bob tudalen un prif bennawd, teitl a'r iaith gywir; bod labeli, disgrifiadau a dolenni i wallau yn arwain at rywbeth sy'n bodoli; a bod y rhestr o wallau ar ffurflen yn cael y ffocws a bod pob gwall ynddi yn arwain at ei faes. Mae prawf bysellfwrdd yn mewngofnodi ac yn addo cefnogaeth gan ddefnyddio'r bysellau Tab, Shift, Bylchwr ac Enter a theipio yn unig, ac yn gwirio mai'r ddolen i neidio i'r prif gynnwys sy'n dod gyntaf a bod pob dolen, botwm a maes ar y ffordd yn dangos yn glir pan fydd y ffocws arno. Mae prawf arall yn cynnig prosiect ac yn addo cefnogaeth gyda JavaScript wedi'i ddiffodd. Mae prawf arall yn agor y tudalennau prysuraf 320 picsel o led, sy'n debyg i chwyddo i 400%, ac yn gwirio nad yw'r dudalen yn sgrolio i'r ochr a bod pob tabl llydan yn sgrolio ar ei ben ei hun ac y gellir ei gyrraedd gyda'r bysellfwrdd.</p>
<p>Nid ydym wedi profi'r canlynol eto:</p>
<ul>
<li>y wefan gyda darllenwyr sgrin (fel JAWS, NVDA neu VoiceOver), chwyddwyr sgrin neu feddalwedd adnabod lleferydd</li>
<li>y wefan mewn porwyr heblaw Chromium</li>
<li>y golygydd cynnwys y mae trefnwyr LocalGov Digital yn ei ddefnyddio (gweinyddiaeth Wagtail)</li>
<li>tudalen dogfennaeth yr API (Swagger UI)</li>
<li>y tudalennau y mae gweinyddwyr cynghorau yn eu defnyddio i reoli aelodau, a'r tudalennau ar gyfer penderfynu ar addewidion a cheisiadau i ymuno â thîm</li>
<li>negeseuon e-bost, ffrydiau RSS ac Atom, a ffeiliau CSV i'w lawrlwytho</li>
</ul>
"""

PRIVACY = f"""
<p>Mae'r hysbysiad hwn yn esbonio pa wybodaeth y mae Pipeline yn ei chadw amdanoch, pam, a beth yw eich hawliau. LocalGov Digital yw'r rheolydd data ar gyfer Pipeline.</p>
<h2>Beth rydym yn ei gadw</h2>
<ul>
<li>eich enw, teitl eich swydd a'ch cyfeiriadau e-bost, fel y gallwch fewngofnodi ac y gallwn gysylltu â chi am eich cyfrif, eich addewidion a'r prosiectau rydych yn eu dilyn</li>
<li>y cynghorau rydych yn perthyn iddynt a'ch rôl ynddynt, fel y gallwch weithredu ar ran eich cyngor</li>
<li>y prosiectau rydych yn eu cynnig, yr addewidion rydych yn eu gwneud neu'n penderfynu arnynt, y timau rydych yn ymuno â nhw a'r diweddariadau rydych yn eu cyhoeddi</li>
<li>pryd y gwnaethoch ddefnyddio tocyn API personol ddiwethaf, fel y gallwch weld un nad ydych yn ei ddefnyddio mwyach</li>
<li>y porwyr rydych wedi mewngofnodi â nhw: eu cyfeiriad rhyngrwyd (IP), y math o borwr a phryd y defnyddiwyd pob un ddiwethaf, fel y gallwch weld un nad yw'n eiddo i chi a'i allgofnodi</li>
</ul>
<p>Gallwch lwytho hyn i gyd i lawr fel ffeil o dudalen eich proffil ("Llwytho fy nata i lawr").</p>
<h2>Beth sy'n gyhoeddus</h2>
<p>Mae eich enw, teitl eich swydd a'ch cyngor yn cael eu dangos ar y prosiectau, yr addewidion a'r timau rydych yn cymryd rhan ynddynt. Mae addewidion yn gofnod cyhoeddus o'r hyn y mae cynghorau wedi'i gynnig i'w gilydd, ac ni chaiff cyfriflyfr y newidiadau i addewid byth ei ddileu.</p>
<h2>Ein sail gyfreithlon</h2>
<p>Rydym yn prosesu'r wybodaeth hon fel rhan o dasg er budd y cyhoedd: helpu cynghorau i rannu'r gost o adeiladu gwasanaethau digidol.</p>
<h2>Am faint rydym yn ei chadw</h2>
<p>Rydym yn cadw eich cyfrif cyhyd ag y byddwch yn ei ddefnyddio. Gallwch ei ddileu eich hun o dudalen eich proffil ("Dileu fy nghyfrif"), neu anfon e-bost at {CONTACT} a byddwn yn gwneud hynny cyn pen 30 diwrnod.</p>
<h2>Beth sy'n digwydd pan fyddwch yn dileu eich cyfrif</h2>
<p>Caiff eich enw, teitl eich swydd, eich cyfeiriadau e-bost, eich cyfrinair, eich aelodaeth o gynghorau, y prosiectau rydych yn eu dilyn, eich rolau mewn timau, eich hysbysiadau, eich tocynnau API a'ch porwyr sydd wedi mewngofnodi eu dileu ar unwaith, a chewch eich allgofnodi ym mhobman.</p>
<p>Mae'r hyn a wnaethoch ar ran eich cyngor yn aros: yr addewidion a wnaethoch, y newidiadau a gofnodwyd gennych yng nghyfriflyfr yr addewidion a'r diweddariadau a gyhoeddwyd gennych. Mae cynghorau'n defnyddio'r cofnod hwn i weld beth a gynigiwyd ganddynt i'w gilydd, beth a dderbyniwyd a beth a gyflawnwyd, felly rhaid i'w gyfansymiau a'i hanes beidio byth â newid. Lle'r oedd yn eich enwi, mae bellach yn dweud "cyn-swyddog" wrth ymyl enw eich cyngor, ac ni ellir cysylltu dim ynddo â chi. Nid yw negeseuon e-bost sydd eisoes wedi'u hanfon at bobl eraill yn cael eu galw'n ôl.</p>
<p>Mae un cofnod yn cadw eich enw: y log gweithgarwch, na all neb ond trefnwyr LocalGov Digital ei ddarllen. Os gwnaethoch gymeradwyo neu wrthod aelodaeth rhywun o gyngor, newid ei rôl, neu newid parthau e-bost neu derfynau eich cyngor, mae'r log yn cadw pwy a'i gwnaeth, fel y gellir gwirio'r penderfyniadau hynny yn nes ymlaen.</p>
<p>Gallwch gofrestru eto gyda'r un cyfeiriad e-bost wedyn; bydd y cyfrif newydd yn dechrau'n wag.</p>
<h2>Eich hawliau</h2>
<p>Gallwch ofyn am gael gweld, cywiro neu ddileu'r wybodaeth sydd gennym amdanoch, neu wrthwynebu'r ffordd rydym yn ei defnyddio, drwy anfon e-bost at {CONTACT}. Os ydych yn anfodlon ar y ffordd rydym wedi defnyddio eich gwybodaeth, gallwch gwyno i Swyddfa'r Comisiynydd Gwybodaeth (ICO).</p>
<h2>Cwcis</h2>
<p>Dim ond y cwcis sydd eu hangen arno i weithio y mae Pipeline yn eu gosod: un i'ch cadw wedi mewngofnodi, un i ddiogelu ffurflenni rhag camddefnydd, ac un i gofio eich iaith. Nid ydym yn defnyddio cwcis dadansoddi na chwcis hysbysebu.</p>
"""

TERMS = f"""
<p>Drwy ddefnyddio Pipeline rydych yn cytuno i'r telerau hyn. Maent yn syml yn fwriadol; anfonwch e-bost at {CONTACT} gydag unrhyw gwestiwn.</p>
<h2>Gweithredu ar ran eich cyngor</h2>
<p>Dim ond ar ran cyngor rydych yn gweithio iddo y dylech weithredu. Datganiadau o fwriad rhwng cynghorau yw addewidion. Nid ydynt yn cymryd lle rheolau caffael, cyllid a chyfreithiol pob cyngor, ac mae pob cyngor yn dal yn gyfrifol am ddilyn y rheolau hynny.</p>
<h2>Yr hyn rydych yn ei gyhoeddi</h2>
<ul>
<li>Mae'r cynnwys rydych yn ei gyhoeddi yn cael ei gyhoeddi o dan y Drwydded Llywodraeth Agored v3.0 oni bai eich bod yn dweud fel arall.</li>
<li>Peidiwch â chyhoeddi data personol am breswylwyr, nac unrhyw beth nad oes gennych hawl i'w rannu.</li>
<li>Byddwch yn gwrtais. Gall trefnwyr guddio prosiect sy'n torri'r telerau hyn, a byddant yn dweud wrth ei berchennog pam.</li>
</ul>
<h2>Ein gwasanaeth</h2>
<p>Rydym yn ceisio cadw Pipeline ar gael ac yn gywir, ond ni allwn addo y bydd bob amser. Efallai y byddwn yn newid y telerau hyn, a byddwn yn dweud hynny ar y dudalen hon.</p>
"""

# (slug of the English page, title, summary, body)
STANDARD_PAGES = [
    (
        "about",
        "Am Pipeline",
        "Mae Pipeline yn helpu cynghorau'r DU i adeiladu gwasanaethau digidol unwaith a'u rhannu.",
        ABOUT,
    ),
    (
        "accessibility",
        "Datganiad hygyrchedd ar gyfer Pipeline",
        "Pa mor hygyrch yw gwefan Pipeline, beth rydym yn ei wneud am hynny a sut i ofyn am gynnwys mewn fformat arall.",
        ACCESSIBILITY,
    ),
    (
        "privacy",
        "Hysbysiad preifatrwydd",
        "Sut mae Pipeline yn defnyddio'r wybodaeth rydych yn ei rhoi iddo.",
        PRIVACY,
    ),
    ("terms", "Telerau defnyddio", "Y rheolau ar gyfer defnyddio Pipeline.", TERMS),
]
