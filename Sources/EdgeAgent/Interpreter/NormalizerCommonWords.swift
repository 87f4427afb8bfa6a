/// Correctly spelled English words the typo corrector must leave alone, though they lie within its reach of a
/// device word: "heading" is one edit from "heating", "mid" a swap of "dim", "god" "good" with an "o" left out.
///
/// Derived from the 20,000 most frequent English words (wordfreq's `top_n_list("en", 20000)`): those within one edit
/// (four to seven letters) or two (eight or more) of a command word or of a word common in room and device names,
/// and every three-letter word of the first 10,000. Well-known misspellings ("teh", "nite", "thru") and vulgar words
/// were left out. Kept to the words at risk so the list stays a few kilobytes.
enum NormalizerCommonWords {
    static let words: Set<String> = Set(list.split(separator: " ").map(String.init))

    private static let list = """
        aaa abc able abs abu ace act activate activated activity add ads afl age ago ahh aid aide aids aim air airs \
        aka alarm alarms ali all ally alt amir amp amy ana and ann ant any app apr aquarium arc are ari arise arm \
        around art ash aside ask ate atm atop attic aug ave awake awe axe aye bach back backs backward backwards \
        backyard bad bag bail bake baker balcony ball ballroom ban bank bar barb bard bare bark barker barn baron barr \
        bars bart basement bash bat batch bath bathroom bathrooms baths bats bay bbc bead beat beating beck bed \
        bedroom bedrooms beds bedside bedtime bee beg belly ben bend beside bet beth bid bids big bin bind binds bing \
        bio bit black bland blanket blankets blend blending blends blind blinds blink block blond bmw bob boiled \
        boiler boilers bond boo booker boom born bot both bow bowel bowler box boy bra bran branding breakers breaking \
        bred breeding bridge brig brighter brightest brightly brightness brighton bro broom btw buck bud bug bulb \
        bulbs bulk bull bump burn bus but buy bye cab cabinet cabinets cable cake cal call cam camera cameras camp \
        camps can candle candles cap captains car cara carb card care carl carr cars cart cary cat cater cbs ceiling \
        ceilings cellar cellular celsius censor ceo certain chandler changer char charge charged charger chargers \
        charges charter cheat cheating chi children chilling chose christian christians christmas cia cinema cinemas \
        clamp clock clone close closed closer closes closest closet cnn coach coal coaster cod code coffee coil col \
        collar colon color colors colour coloured colours com con condition conditional conditioned conditioner \
        conditioning conditions conor console consoles contains cook cooke cooked cooker cool cooled cooler coop \
        cooper cop cos couch cough counted counter countered counters countess counties cow coworker cox creating cry \
        cup curtain curtains cut cuz dad dairy dam damp dan darker darn date dawn day daylight dean debating dec \
        deceased deck decks deco decrease decreased decreases dee def defining degree degrees del delights dem den \
        dent deny der des desk desks did die dig dime dining dip dire disable disabled dishwasher disk diving diy dna \
        doc dock doe dog dom don donor donors doom door doors dot downright downstairs draining dreaming drinking \
        driveway dry dryer duck due dug dump duo dusk dvd dye dyer ear earn easter eat eater eating eden egg ego eight \
        emotion emotions enable enabled enables encounter end endurance entrance entrances entrants epa era est etc \
        eva eve even everything extracted extraction extracts eye fail fair fairly fairs fairy fake fall fan fang fans \
        far fare farm farmer faster fat fate fbi fda feat feb fed fee fence fences few fibre fife fig fight fighting \
        fights file fine fire fired fireplace fires firm first fist fit five fix flight flights flock flood floor \
        floors flour flower flu fly fog fond font food fool for fore fountain fountains fox fran freaking free freeze \
        freezer freezes fridge fringe front fronts frost fry fun fur gabe gail gal gale gall galloway game gap garage \
        garbage garde garden gardener gardens gas gate gates gave gay gaze gdp gel gem gen get gif gig giving god gold \
        good goods gop got gov gps grail groom ground grounded grounds guess guest guests gum gun gut guy gym hack had \
        hail hair hairy hal hale half halfway hall halls hallway halo halt ham han handing handle handling hank hard \
        harden harm has hat hate hath hating haul hay head header heading heal healer healing heap hear hearing \
        hearings heart heat heated heater heath heather heating heats heck hell hence her hes hey hid hide highlight \
        hill him hip hire his hit hiv hmm hold holt hon hood hook hoop hop host hot how hub hug huh hull humility hump \
        hut ian ibm ice idk iii ill inc increase increased increases ing ink inn ins int ion ios ira irrigation \
        irritation irs iso its ive ivy jack jail jake jam jan jar jaw jay jelly jet jew jim jin job jock joe jon joy \
        jump jun kate kay kelly kelvin ken kettle kevin key kid kidd kids kim kinds kiss kit kitchen kitchens kits \
        knight lab lack lad lake lama lamb lame lamp lamps landing landings lap laps las late later laundry law lawn \
        laws lay lbs leading led lee left leg lending leo les let level levels lever lick lid lie lift light lighting \
        lightning lights liking lil limiting limp lin lining lip lit living liz llc loch lock locke locks loft lofty \
        log lol look loom loot los lose loser lost lot lotion lou lounge lover loving low lowe lower lowers ltd luck \
        lump mac machine machinery machines mack mad made maher mail make maker makers makes mall man map mar marching \
        marker master mastered masters mastery mat matching mate mater math matter max may mayer meat med mediator mel \
        melvin men met mia mic microwave mid might min mining mirror mirrored mirrors mister mix mlb mls moaning mob \
        mock mod mode model modem modes modi mods mole mom mon mood moor more morning mornings motion motions motivate \
        mountain mountains mounting mourning move movie movies mph mps mrs mtv mud mum music muster mvp nah nail nap \
        nate nba nbc neat neck neo net new nfl nhl nhs night nights node non nor not notion nov now nsa nsw nursery \
        nut nyc oak oath oct odd odor off office officer officers offices offs oil old omg one open opens ops opt ore \
        ouch our out outer outlet outlets outset oven over owe owen owl own owning pac pack pad painter painters pair \
        pal pan par parker pastry pat path patio pavement pawn pay pdf peat peck pee pen pence pendant per percent \
        perch pet phd pic pie pig pin pit planning planting pleading plight plug plugs plum plus pocket pointer \
        pointers poker pol poll polo pond ponds pong pony pooh pool poole pools poor pop porch pot potion pouch pound \
        powder power powers praise pre printed printer printers pro projected projection projector projects prosecutor \
        protector psa pub pulp pump pumps put que quest quo rack radiation radiator radio radios raid rail rails rain \
        raise raised raises rake ram ramp ran rank rap rat rate ratio raw ray reaching reacting reading readings \
        recreate red ref regarding relating relaxing rep res residing rev rewarding rex rey rid ride ridge rig right \
        rights rim rio rip rise roam rob robot robots rock rocket rod rode rom ron roof room rooms root roster round \
        route routed router routes row roy rub run sack sad sail sake sam san sank sap sat saw say scar scene scenes \
        scent sci screen screened screens sea seat seating sec sect see seed sen senior sensor sensors sensory sent \
        seo sep sept set seth sets settle shade shades shady shake shakes shale shall shame shane shape shapes share \
        shares shave she shea shed sheds shelters shes shooters shop shot shove showed shower showers shred shutter \
        shy side sided sides sight sighting sights sim sin sir sire siren sirens sit site six size ski sky slide \
        slight slower slug smart sneakers sock socket soda sofa sofia soft son soo sox spa spade spam span spat \
        spawning speaker speakers spotlight spreading spring springer sprinkle spy sri stable stains staircase stairs \
        standing star stare staring stark starr starring stars start starting starts starving stat steering step \
        stereo sterling steve sting stirling stirring stitch stoke stole stone stop stops store storing stove strap \
        striking string strings strip stripe strips striving strong strung stuart stud studs study sturdy sub sue sued \
        sum sun sunlight supper swarm sweating switch switched switches tab table tables tablet tack tag tail take \
        tale talk tall tally tan tang tank tanks tap tart task tate tax tbh tea ted tee tel television tell tells \
        temperate temperature temperatures ten terrace terraces thank the theater theaters thee three thy tide tie \
        tight tights til tim tin tip tire toaster toe toilet toilets tom ton too tool top torch torn touch towed towel \
        towels tower toy trail treating tree trees trek trending trey trip true try tub tube turf turin turk turn \
        turns twitch two ufc ugh unable und unlock unlocked upper ups upstairs url usa usb usd use utility vacuum vale \
        value valve valves van vet via vic vii vol volume volumes von vowel wade wage wager waiter wake wakes wall \
        walter wan war ward warden wardrobe ware warm warmed warmer warn warner warp wars wary was washed washer \
        washes water waters wave wax way web wee wet wheat while white whites who why wide widow widows win window \
        windows wire wit witch woke won woo wood wool workshop worm woven wow write wwe yard yards yarn yay yea yep \
        yes yet you yup zack zip zoo zoom
        """
}
