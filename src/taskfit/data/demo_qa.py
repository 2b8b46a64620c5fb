"""Seeded generator for the bundled ``qa`` demo data: questions over a small document corpus.

A corpus of short passages of product documentation for Northwind (the fictional company
of the classification demo: a smart home hub, a companion app and a Basic / Plus / Pro
subscription), and questions about it with short answers. Files, under ``qa/``:

- ``corpus.csv`` (``id,title,text``): the passages. Most have 40-110 words; the few in
  :data:`LONG_PASSAGES` have more than 150 so that chunking is exercised.
- ``train.csv`` and ``test.csv`` (``question,answer,passage_id``): the questions. About a
  fifth cannot be answered from the corpus: their answer is :data:`UNANSWERABLE` and their
  ``passage_id`` is empty.

The passages are built from a fact table (:func:`fact_table`): every fact belongs to one
passage and has the sentence that states it, its short answer and two wordings of the
question that asks for it. A passage is its sentences in order, facts and plain context
sentences. Rules, all checked when the data is built:

- Passage ids are unique; passages have the word counts above.
- Every answer has 1-6 words and occurs in the sentence that states it and so in its
  passage, compared after the SQuAD normalisation (:func:`normalise_answer`: lower case,
  no punctuation, no articles a/an/the); it does not occur in its own question.
- All questions are distinct, so no question is in both splits.
- Each fact is asked at most once per split. Test asks mostly about facts that train does
  not ask about; :data:`QA_REPEATS` test questions ask, in other words, about a fact that
  train also asks about. The unanswerable questions of train and test are different ones.

The facts are fictional, so a model cannot know the answers without reading the passages.
Some questions share few words with their passage, so lexical retrieval alone is not
enough. Everything random is drawn from :class:`random.Random` with a fixed seed, so the
files are reproducible byte for byte. Regenerate them with::

    python -m taskfit.data.demo_qa src/taskfit/data/demo
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import string
from pathlib import Path
from typing import NamedTuple

__all__ = [
    "LONG_PASSAGES",
    "QA_REPEATS",
    "QA_SIZES",
    "UNANSWERABLE",
    "UNANSWERABLE_QUESTIONS",
    "Fact",
    "Passage",
    "corpus",
    "fact_table",
    "normalise_answer",
    "qa_questions",
    "write_demo_qa",
]

Row = dict[str, str]

# the answer of a question that the corpus cannot answer
UNANSWERABLE = "not in the documents"

# questions per split, and how many of them are unanswerable
QA_SIZES = {"train": 160, "test": 60}
_UNANSWERABLE_COUNT = {"train": 32, "test": 12}
# test questions about a fact that train also asks about (with other words)
QA_REPEATS = 8

_FIELDS = {
    "corpus": ("id", "title", "text"),
    "questions": ("question", "answer", "passage_id"),
}
_WORDS = (40, 110)  # words in a passage that is not long
_LONG_MIN = 151  # words in a long passage, at least
_ANSWER_WORDS = (1, 6)


class Fact(NamedTuple):
    """One fact of a passage: the sentence that states it, its short answer and the
    questions that ask for it. An empty ``sentence`` means the fact is stated by the
    sentence before it."""

    sentence: str
    answer: str
    questions: tuple[str, ...]


class Passage(NamedTuple):
    """A corpus passage: its id, title and sentences, in order. A sentence is plain text
    (context that no question asks about) or a :class:`Fact`."""

    id: str
    title: str
    sentences: tuple[str | Fact, ...]
    long: bool = False

    @property
    def text(self) -> str:
        parts = [s if isinstance(s, str) else s.sentence for s in self.sentences]
        return " ".join(p for p in parts if p)


def _f(sentence: str, answer: str, *questions: str) -> Fact:
    return Fact(sentence, answer, questions)


def _p(id: str, title: str, *sentences: str | Fact, long: bool = False) -> Passage:
    return Passage(id, title, sentences, long)


# --------------------------------------------------------------------------- corpus

_CORPUS = (
    # ------------------------------------------------------------------ hubs
    _p(
        "hub-01",
        "Northwind Hub 2 overview",
        "The Northwind Hub 2 is the controller at the centre of a Northwind smart home: it "
        "connects sensors, plugs, cameras and lights and runs your automations.",
        _f(
            "Its model number is NWH-200, printed on the label under the base.",
            "NWH-200",
            "What is the model number of the Hub 2?",
            "Which model code is printed under the base of the second-generation hub?",
        ),
        _f(
            "The Hub 2 went on sale on 12 September 2024.",
            "12 September 2024",
            "When was the Hub 2 released?",
            "Since what date has the current flagship hub been available to buy?",
        ),
        _f(
            "Its launch price was $129.",
            "$129",
            "How much did the Hub 2 cost when it launched?",
            "What did Northwind originally charge for its flagship hub?",
        ),
        _f(
            "One Hub 2 can control up to 150 devices.",
            "150 devices",
            "How many devices can a single Hub 2 manage?",
            "What is the largest number of gadgets the flagship hub can look after?",
        ),
    ),
    _p(
        "hub-02",
        "Northwind Hub Mini overview",
        "The Hub Mini is a smaller, cheaper hub for flats and small homes. It runs the same "
        "automations as the Hub 2 but has fewer radios and connectors.",
        _f(
            "Its model number is NWH-M10.",
            "NWH-M10",
            "What model number does the Hub Mini have?",
            "Which model code belongs to Northwind's compact hub?",
        ),
        _f(
            "The Hub Mini sells for $69.",
            "$69",
            "What is the price of the Hub Mini?",
            "How much would the small Northwind hub set me back?",
        ),
        _f(
            "It can control up to 40 devices.",
            "40 devices",
            "What is the device limit of the Hub Mini?",
            "How many gadgets can I connect to the compact hub at most?",
        ),
        _f(
            "The Hub Mini was launched on 3 March 2025.",
            "3 March 2025",
            "When did the Hub Mini come out?",
            "On what date did Northwind start selling its compact hub?",
        ),
    ),
    _p(
        "hub-03",
        "The first-generation Hub",
        "Before the Hub 2, Northwind sold a single hub model, now called the Hub (1st "
        "generation). It still works with the current app and all current sensors.",
        _f(
            "It launched in May 2021.",
            "May 2021",
            "When did the first-generation hub launch?",
            "In which month and year did Northwind's original hub go on sale?",
        ),
        _f(
            "Its model number is NWH-100.",
            "NWH-100",
            "What is the model number of the 1st generation hub?",
            "Which model code did the original Northwind hub carry?",
        ),
        _f(
            "Sales of the first-generation hub ended on 30 June 2024.",
            "30 June 2024",
            "When did Northwind stop selling the original hub?",
            "What was the last day the first-generation hub was sold?",
        ),
        _f(
            "It will receive security updates until 31 December 2027.",
            "31 December 2027",
            "Until when will the 1st generation hub get security updates?",
            "How long will my old first-gen hub keep getting security patches?",
        ),
    ),
    _p(
        "hub-04",
        "Hub 2 ports and buttons",
        "All connectors of the Hub 2 are on its back panel, behind a removable cover that "
        "keeps the cables tidy.",
        _f(
            "Power comes in through a USB-C port.",
            "USB-C",
            "Which connector powers the Hub 2?",
            "What kind of socket does the flagship hub take its power from?",
        ),
        _f(
            "Next to it are two USB-A ports for backup drives and the Cellular Stick.",
            "two",
            "How many USB-A ports does the Hub 2 have?",
            "How many full-size USB sockets are on the back of the flagship hub?",
        ),
        _f(
            "A Gigabit Ethernet port lets you wire the hub to your router.",
            "Gigabit Ethernet",
            "What kind of wired network port does the Hub 2 have?",
            "Through which port can the flagship hub be cabled to a router?",
        ),
        _f(
            "The recessed reset button sits between the ports; press it with a paper clip.",
            "paper clip",
            "What do I need to press the recessed reset button of the Hub 2?",
            "What household object is needed to reach the pinhole button on the flagship hub?",
        ),
    ),
    _p(
        "hub-05",
        "Hub Mini ports and buttons",
        "The Hub Mini keeps its design simple, with one connector and one button, so there "
        "is little to set up.",
        _f(
            "It has a single USB-C port, used for power only.",
            "single USB-C port",
            "How many ports does the Hub Mini have?",
            "What connectors does the compact hub offer?",
        ),
        _f(
            "There is no Ethernet port, so the Hub Mini always connects over Wi-Fi.",
            "Wi-Fi",
            "How does the Hub Mini connect to the home network?",
            "Since the compact hub has no network socket, how does it get online?",
        ),
        _f(
            "Its reset button is hidden under the rubber foot marked R.",
            "rubber foot marked R",
            "Where is the reset button on the Hub Mini?",
            "I can't find a reset button on my compact hub. Where is it?",
        ),
    ),
    _p(
        "hub-06",
        "What is in the box",
        "Each hub ships in a recyclable cardboard box with no plastic packaging.",
        _f(
            "The Hub 2 box contains the hub, a 1.5 metre USB-C cable, a 15 W power adapter, "
            "an Ethernet cable and a quick start card.",
            "1.5 metre",
            "How long is the USB-C cable that comes with the Hub 2?",
            "What length of power cable is included with the flagship hub?",
        ),
        _f(
            "",
            "15 W",
            "What is the wattage of the adapter included with the Hub 2?",
            "How powerful is the plug-in adapter that ships with the flagship hub?",
        ),
        _f(
            "The Hub Mini box contains the hub, a 1 metre USB-C cable and a quick start card, "
            "but no power adapter.",
            "Hub Mini",
            "Which hub ships without a power adapter?",
            "For which Northwind hub do I need to supply my own USB charger?",
        ),
        "Sensors and other accessories are sold separately.",
    ),
    _p(
        "hub-07",
        "Hub power and backup battery",
        "The Hub 2 is designed to stay on around the clock, even when the power fails.",
        _f(
            "It uses about 4 watts in normal operation.",
            "4 watts",
            "How much electricity does the Hub 2 draw in normal use?",
            "What is the typical power consumption of the flagship hub?",
        ),
        _f(
            "A built-in backup battery keeps it running for up to 6 hours during a power cut.",
            "6 hours",
            "How long can the Hub 2 keep running during a power cut?",
            "If the electricity goes out, for how long will my flagship hub stay on?",
        ),
        _f(
            "The battery recharges fully in about 3 hours once power returns.",
            "3 hours",
            "How long does the backup battery of the Hub 2 take to recharge?",
            "Once the power is back, how long until the hub's internal battery is full again?",
        ),
        _f(
            "The Hub Mini has no backup battery and switches off as soon as its power is cut.",
            "Hub Mini",
            "Which hub has no backup battery?",
            "Which Northwind hub shuts down immediately in a blackout?",
        ),
    ),
    _p(
        "hub-08",
        "Wireless standards of the Hub 2",
        "The Hub 2 talks to devices over several radio standards, so it works with most "
        "current smart home products.",
        _f(
            "It has radios for Wi-Fi, Zigbee 3.0, Thread and Bluetooth Low Energy.",
            "Zigbee 3.0",
            "Which Zigbee version does the Hub 2 support?",
            "What generation of the Zigbee standard is built into the flagship hub?",
        ),
        _f(
            "It can act as a Thread border router and a Matter controller.",
            "Thread border router",
            "What role can the Hub 2 take on a Thread network?",
            "What does the flagship hub act as to link Thread gadgets to the rest of the network?",
        ),
        _f(
            "On Wi-Fi it connects on both the 2.4 GHz and 5 GHz bands.",
            "2.4 GHz and 5 GHz",
            "Which Wi-Fi bands does the Hub 2 support?",
            "What frequencies can the flagship hub use for its wireless link to the router?",
        ),
    ),
    _p(
        "hub-09",
        "Wireless standards of the Hub Mini",
        "The Hub Mini has fewer radios than the Hub 2, which keeps its price down.",
        _f(
            "It supports Wi-Fi, Zigbee and Bluetooth Low Energy, but has no Thread radio.",
            "Thread",
            "Which radio standard does the Hub Mini lack?",
            "Which mesh protocol is missing from the compact hub?",
        ),
        _f(
            "It joins Wi-Fi networks on the 2.4 GHz band only.",
            "2.4 GHz",
            "Which Wi-Fi band does the Hub Mini use?",
            "My router has a separate network for each band; which one should the compact "
            "hub join?",
        ),
        _f(
            "Devices that need Thread, such as the Smart Bulb, must be paired with a Hub 2 "
            "instead.",
            "Smart Bulb",
            "Which Northwind device needs Thread and so cannot pair with the Hub Mini?",
            "Which Northwind light has to be paired with the bigger hub?",
        ),
    ),
    _p(
        "hub-10",
        "Range and placement",
        "Radio range depends on walls, floors and interference, so where you put the hub matters.",
        _f(
            "Indoors, the Hub 2 reaches Zigbee devices up to 30 metres away through open space.",
            "30 metres",
            "What is the indoor Zigbee range of the Hub 2?",
            "How far away can a sensor be from the flagship hub in an open room?",
        ),
        _f(
            "The Hub Mini reaches devices up to 15 metres away.",
            "15 metres",
            "What is the range of the Hub Mini?",
            "How far can a sensor sit from the compact hub and still connect?",
        ),
        _f(
            "Keep any hub at least 2 metres away from microwave ovens and cordless phone bases.",
            "2 metres",
            "How far should a hub be from a microwave oven?",
            "What is the minimum distance between my hub and the kitchen microwave?",
        ),
    ),
    _p(
        "hub-11",
        "Setting up a hub",
        "You set up a new hub with the Northwind app on your phone.",
        _f(
            "Setup usually takes about 15 minutes.",
            "15 minutes",
            "Roughly how long does hub setup take?",
            "How much time should I set aside to get a new hub going?",
        ),
        _f(
            "When the app asks for it, scan the QR code printed on the bottom of the hub.",
            "bottom of the hub",
            "Where is the QR code I need to scan during setup?",
            "Where on the device do I find the code the app asks me to scan?",
        ),
        _f(
            "Keep your phone within 3 metres of the hub until setup finishes.",
            "3 metres",
            "How close should my phone be to the hub during setup?",
            "What distance should I keep between phone and hub while installing?",
        ),
        "The hub then downloads the latest firmware and restarts once.",
    ),
    _p(
        "hub-12",
        "Network requirements",
        "The hub needs a working home network and a Northwind account before you start setup.",
        _f(
            "Your internet connection needs an upload speed of at least 2 Mbps.",
            "2 Mbps",
            "What minimum upload speed does the hub need?",
            "How fast must my connection send data for the hub to work properly?",
        ),
        _f(
            "Networks with a captive portal, such as hotel or dormitory Wi-Fi, are not supported.",
            "captive portal",
            "What kind of Wi-Fi network can't the hub join?",
            "Why won't my hub connect to the student halls Wi-Fi that shows a login page first?",
        ),
        _f(
            "The hub uses ports 443 and 8883 for its cloud connection.",
            "443 and 8883",
            "Which ports does the hub use to reach the cloud?",
            "What should I open on my firewall for the hub's online link?",
        ),
    ),
    _p(
        "hub-13",
        "Status light colours",
        "The status light on the front of the Hub 2 and on top of the Hub Mini shows what "
        "the hub is doing. The colours and patterns mean the same on both models, and "
        "dimming the light in the app does not change what they mean. This guide lists "
        "every state you may see.",
        _f(
            "Solid white means the hub is working normally.",
            "solid white",
            "What colour is the status light when everything is working?",
            "How does the hub's light look when nothing is wrong?",
        ),
        _f(
            "Pulsing blue means the hub is in pairing mode, waiting for a new device.",
            "pulsing blue",
            "What does the light do while the hub waits for a new device to pair?",
            "How does the hub's light show that it is ready to add a sensor?",
        ),
        _f(
            "Blinking amber means the hub has lost its internet connection but is still "
            "running local automations.",
            "lost its internet connection",
            "What does a blinking amber light on the hub mean?",
            "My hub's light keeps flashing orange. What is wrong?",
        ),
        _f(
            "Solid amber means the hub cannot reach your Wi-Fi network at all.",
            "cannot reach your Wi-Fi network",
            "What does a steady amber light mean?",
            "The hub's light is amber and not blinking. What does that tell me?",
        ),
        _f(
            "Solid red means a hardware fault; contact support.",
            "hardware fault",
            "What does a solid red status light mean?",
            "What problem is signalled when the hub glows red without blinking?",
        ),
        _f(
            "Cycling green shows that a firmware update is installing; do not unplug the hub.",
            "cycling green",
            "What does the status light show while firmware installs?",
            "How can I tell from the light that the hub is updating itself?",
        ),
        _f(
            "Flashing purple means the hub is erasing itself during a factory reset.",
            "flashing purple",
            "Which light pattern appears during a factory reset?",
            "What colour flashes while the hub wipes its settings?",
        ),
        "If the light is off, check the power cable, or check whether night mode has "
        "turned the light off.",
        long=True,
    ),
    _p(
        "hub-14",
        "Night mode for the status light",
        "Some people find the status light distracting in a bedroom or a living room at "
        "night. The light never changes how the hub works.",
        _f(
            "Night mode turns the status light off between 22:00 and 07:00 by default.",
            "22:00 and 07:00",
            "Between which hours does night mode turn off the hub's light by default?",
            "When does the hub's light go dark at night unless I change it?",
        ),
        _f(
            "You can change these hours under Hub settings > Light.",
            "Hub settings > Light",
            "Where in the app do I change the night mode hours?",
            "Which settings page controls when the status indicator goes dark?",
        ),
        "Warnings, such as a red light, still show during night mode.",
    ),
    _p(
        "hub-15",
        "Restarting and factory reset",
        "There are two ways to clear a problem with a hub. A restart keeps everything, "
        "while a factory reset erases the hub so that you can set it up from scratch or "
        "give it to someone else. Try a restart first, because most problems go away "
        "after one.",
        _f(
            "To restart the hub, unplug it for 10 seconds and plug it back in.",
            "10 seconds",
            "How long should the hub stay unplugged for a restart?",
            "To reboot my hub, how many seconds do I leave it without power?",
        ),
        _f(
            "To factory reset, hold the reset button for 15 seconds.",
            "15 seconds",
            "How long do I hold the reset button to factory reset the hub?",
            "For how many seconds must the button be pressed to wipe the hub completely?",
        ),
        _f(
            "A factory reset erases all devices, rooms and automations from the hub.",
            "all devices, rooms and automations",
            "What does a factory reset remove from the hub?",
            "What will I lose from my hub if I wipe it back to factory settings?",
        ),
        _f(
            "After a reset the hub restarts in setup mode within about 4 minutes.",
            "4 minutes",
            "How long after a factory reset is the hub ready to be set up again?",
            "After wiping the hub, how soon can I start setup again?",
        ),
        _f(
            "If you have a cloud backup, restore it from Hub settings > Backups once setup "
            "is complete.",
            "Hub settings > Backups",
            "Where do I restore a cloud backup after a reset?",
            "Once the hub is set up again, where in the app do I bring my old configuration back?",
        ),
        "Keep the hub plugged in until the reset has finished completely. Removing a hub from "
        "your account in the app does not reset it, so always do a factory reset before you "
        "sell or give away a hub.",
        long=True,
    ),
    _p(
        "hub-16",
        "Hub 2 firmware history",
        "Northwind releases new firmware for the Hub 2 several times a year. Each release "
        "is rolled out gradually over about a week, so your hub may update a few days "
        "after the release date. Firmware can never be rolled back to an older version, and "
        "you can see which version your hub runs in the app. The main releases so far are "
        "listed below.",
        _f(
            "The Hub 2 shipped with version 2.9.",
            "2.9",
            "Which firmware version did the Hub 2 ship with?",
            "What software version was on the flagship hub when it first went on sale?",
        ),
        _f(
            "Version 3.0, released on 4 November 2024, added Matter support.",
            "3.0",
            "Which Hub 2 firmware version added Matter support?",
            "In which software release did the flagship hub learn to control Matter devices?",
        ),
        "Version 3.0.1, released on 18 November 2024, fixed a problem with Zigbee door locks.",
        _f(
            "Version 3.1, released on 20 January 2025, added backups to a USB drive.",
            "20 January 2025",
            "When was Hub 2 firmware 3.1 released?",
            "On what date did the update that brought USB drive backups come out?",
        ),
        _f(
            "Version 3.2, released on 14 April 2025, added support for the Leak Sensor.",
            "3.2",
            "Which firmware version does the Hub 2 need for the Leak Sensor?",
            "Since which software release can the flagship hub use the water sensor?",
        ),
        "Version 3.2.1, released on 2 May 2025, fixed an issue that made some sensors show the "
        "wrong battery level.",
        _f(
            "Version 3.3, released on 9 September 2025, improved Thread stability and is the "
            "current version.",
            "3.3",
            "What is the current firmware version of the Hub 2?",
            "What's the newest software release for the flagship hub?",
        ),
        _f(
            "",
            "9 September 2025",
            "When was the latest Hub 2 firmware released?",
            "What is the release date of the newest flagship hub software?",
        ),
        long=True,
    ),
    _p(
        "hub-17",
        "Hub Mini firmware",
        "The Hub Mini has its own firmware line, separate from the Hub 2, because it uses "
        "different hardware. Updates install the same way as on the Hub 2.",
        _f(
            "The current Hub Mini firmware is version 1.4, released on 2 June 2025.",
            "1.4",
            "What is the current firmware version of the Hub Mini?",
            "Which software release is the newest for the compact hub?",
        ),
        _f(
            "",
            "2 June 2025",
            "When was the latest Hub Mini firmware released?",
            "What is the release date of the newest compact hub software?",
        ),
        "The Hub Mini checks for new firmware once a day.",
    ),
    _p(
        "hub-18",
        "Automatic firmware updates",
        "Firmware updates install automatically, so your hub stays secure without any "
        "effort from you.",
        _f(
            "Updates install between 02:00 and 05:00 local time.",
            "02:00 and 05:00",
            "At what time of night do hub updates install?",
            "During which hours might my hub restart to update itself?",
        ),
        _f(
            "You can postpone an update for up to 7 days from Hub settings > Updates.",
            "7 days",
            "How long can I postpone a firmware update?",
            "For how many days can I put off a hub update?",
        ),
        _f(
            "An update normally takes under 10 minutes, and automations pause meanwhile.",
            "under 10 minutes",
            "How long does a firmware update take?",
            "How long are my automations paused while the hub updates?",
        ),
    ),
    _p(
        "hub-19",
        "Wall mounting",
        "Both hubs can sit on a shelf, but a spot on the wall gives better range in many homes.",
        _f(
            "The Hub 2 wall mount is sold separately for $15.",
            "$15",
            "How much is the wall mount for the Hub 2?",
            "What does the bracket for hanging the flagship hub cost?",
        ),
        _f(
            "The mount's two screw holes are 60 millimetres apart.",
            "60 millimetres",
            "How far apart are the screw holes of the Hub 2 wall mount?",
            "What spacing should I drill for the hub's wall bracket?",
        ),
        _f(
            "For the best signal, mount the hub at least 1 metre above the floor.",
            "1 metre",
            "How high should a wall-mounted hub be?",
            "What minimum height above the floor is recommended for the hub?",
        ),
    ),
    _p(
        "hub-20",
        "Backups to a USB drive",
        "A Hub 2 can back up its settings to a USB drive, with or without a subscription.",
        _f(
            "The drive must be formatted as exFAT.",
            "exFAT",
            "What file system must a backup USB drive use?",
            "How should I format a USB stick before using it for hub backups?",
        ),
        _f(
            "It needs at least 8 GB of free space.",
            "8 GB",
            "How much free space does a USB backup drive need?",
            "What is the smallest amount of room a USB stick needs for hub backups?",
        ),
        _f(
            "The hub writes a new local backup every Sunday at 03:00.",
            "every Sunday",
            "How often does the hub write a local backup?",
            "On which day of the week does the hub save a copy of its settings to the USB drive?",
        ),
        _f(
            "It keeps the last 4 local backups and deletes older ones.",
            "4",
            "How many local backups does the hub keep?",
            "How many older copies stay on the USB drive before they are deleted?",
        ),
    ),
    _p(
        "hub-21",
        "Operating conditions",
        "Hubs are made for indoor use in normal living spaces such as a hall, a living room "
        "or an office.",
        _f(
            "The Hub 2 works at room temperatures between 0 and 40 °C.",
            "0 and 40 °C",
            "What temperature range can the Hub 2 operate in?",
            "How cold or hot can the room be for the flagship hub?",
        ),
        _f(
            "Do not place a hub inside a metal cabinet, which blocks the radio signal.",
            "metal cabinet",
            "What kind of furniture should a hub not be placed in?",
            "Where will the hub's signal be blocked if I hide it away?",
        ),
        _f(
            "Clean the hub with a dry cloth only.",
            "dry cloth",
            "What should I clean the hub with?",
            "How do I wipe dust off the hub safely?",
        ),
    ),
    _p(
        "hub-22",
        "When the internet is down",
        "The hub keeps most of your home running when your internet connection goes down, "
        "and catches up once it is back.",
        _f(
            "Cloud recording stops during an outage, but cameras buffer up to 30 minutes of "
            "video and upload it afterwards.",
            "30 minutes",
            "How much video do cameras buffer during an internet outage?",
            "If my broadband drops, how many minutes of footage are kept and uploaded later?",
        ),
        _f(
            "Remote control needs the internet, but at home the app still reaches the hub "
            "over your home Wi-Fi.",
            "home Wi-Fi",
            "How can I still use the app during an internet outage?",
            "My broadband is down but I'm at home. How does my phone still reach the hub?",
        ),
    ),
    _p(
        "hub-23",
        "The Cellular Stick",
        "The Cellular Stick is a small 4G modem that keeps a Hub 2 in touch when the home "
        "internet fails. It plugs into a USB-A port, so it does not fit the Hub Mini.",
        _f(
            "It carries alarms and notifications but not camera video.",
            "camera video",
            "What can't be sent over the Cellular Stick?",
            "Which kind of data does the 4G backup modem leave out?",
        ),
        _f(
            "It takes over within 30 seconds of the internet going down.",
            "30 seconds",
            "How quickly does the Cellular Stick take over when the internet drops?",
            "When my broadband fails, how soon does the 4G backup kick in?",
        ),
    ),
    # ------------------------------------------------------------------ app
    _p(
        "app-01",
        "Northwind app platforms",
        "The Northwind app is the main way to set up and control your home.",
        _f(
            "It runs on iPhones with iOS 16 or later.",
            "iOS 16",
            "What is the minimum iOS version for the Northwind app?",
            "Which iPhone software version do I need at least to install the app?",
        ),
        _f(
            "On Android it needs Android 11 or later.",
            "Android 11",
            "Which Android version does the app require?",
            "What is the oldest Android release the app supports?",
        ),
        _f(
            "There is no desktop app; instead a web dashboard is available at "
            "home.northwind.example.",
            "home.northwind.example",
            "Where can I find the Northwind web dashboard?",
            "I'm on a laptop with no app; what address do I open to control my home?",
        ),
        _f(
            "The app is available in 12 languages.",
            "12 languages",
            "In how many languages is the app available?",
            "How many interface languages can I choose from in the app?",
        ),
    ),
    _p(
        "app-02",
        "Tablets and watches",
        "The app adapts to larger and smaller screens. A tablet layout with a split view is "
        "available on iPad and Android tablets.",
        _f(
            "The Apple Watch app shows alarms and lets you arm or disarm the system.",
            "Apple Watch",
            "Which smartwatch has a Northwind app?",
            "On what wrist device can I arm or disarm my system?",
        ),
        "Wear OS watches are not supported.",
        _f(
            "The watch app needs watchOS 10 or later.",
            "watchOS 10",
            "What watchOS version does the watch app need?",
            "Which watch software release is the minimum for the Northwind watch app?",
        ),
    ),
    _p(
        "app-03",
        "Rooms and scenes",
        "The app groups devices into rooms and lets you control several devices at once "
        "with scenes.",
        _f(
            "Each home can have up to 30 rooms.",
            "30 rooms",
            "How many rooms can a home have in the app?",
            "What is the maximum number of rooms I can create?",
        ),
        _f(
            "A scene can contain up to 50 actions.",
            "50 actions",
            "How many actions can a single scene hold?",
            "What is the limit on steps in one scene?",
        ),
        _f(
            "Each scene can be given one of 40 icons.",
            "40 icons",
            "How many icons are available for scenes?",
            "From how many pictures can I pick one for a scene?",
        ),
        "Scenes can also be added as buttons on your phone's home screen.",
    ),
    _p(
        "app-04",
        "Automations",
        "Automations start actions by themselves when something happens, for example "
        "turning on a light when a door opens.",
        _f(
            "Automations run on the hub itself, so they keep working during internet outages.",
            "on the hub itself",
            "Where do automations run?",
            "Why do my routines still work when the internet is down?",
        ),
        _f(
            "Each home can have up to 200 automations.",
            "200 automations",
            "How many automations can one home have?",
            "What is the cap on routines per home?",
        ),
        _f(
            "An automation can combine up to 5 conditions.",
            "5 conditions",
            "How many conditions can one automation combine?",
            "How many 'if' checks can a single routine have?",
        ),
    ),
    _p(
        "app-05",
        "Notification settings",
        "Notifications are set per device and per person, so each member of a home chooses "
        "what they receive.",
        _f(
            "Quiet hours silence all notifications except alarms.",
            "alarms",
            "Which notifications still come through during quiet hours?",
            "What will still reach my phone after I mute notifications for the night?",
        ),
        _f(
            "Set quiet hours under Settings > Notifications > Quiet hours.",
            "Settings > Notifications > Quiet hours",
            "Where do I set up quiet hours?",
            "Where in the app do I make notifications stay silent at night?",
        ),
        _f(
            "Motion notifications are grouped, so one sensor sends at most one every 5 minutes.",
            "5 minutes",
            "How often at most can one motion sensor notify me?",
            "What is the minimum gap between two motion notifications from the same sensor?",
        ),
    ),
    _p(
        "app-06",
        "Critical alerts",
        "Some events are too important to miss, so the app can break through the phone's "
        "silent settings.",
        _f(
            "Leak and smoke alarms are sent as critical alerts, which sound even when the "
            "phone is on silent.",
            "Leak and smoke alarms",
            "Which alerts sound even when my phone is on silent?",
            "What kinds of alarm will ring through a muted phone?",
        ),
        _f(
            "A critical alert repeats every 60 seconds until someone acknowledges it.",
            "every 60 seconds",
            "How often does a critical alert repeat?",
            "If nobody responds to a critical alert, how frequently is it sent again?",
        ),
        "Critical alerts must be allowed once in the phone's settings when the app asks.",
    ),
    _p(
        "app-07",
        "Family sharing",
        "You can share a home with family members and guests, and each person uses their "
        "own account.",
        _f(
            "A home has one owner and up to 8 other members.",
            "8",
            "How many people besides the owner can share a home?",
            "Apart from me as the owner, how many people can I add to my home?",
        ),
        _f(
            "Members are either Admins, who can change devices and automations, or Guests, "
            "who can only control devices.",
            "Admins",
            "Which member role can edit automations?",
            "What kind of member do I need to be to change routines?",
        ),
        _f(
            "Invitations expire after 72 hours if they are not accepted.",
            "72 hours",
            "How long does a family sharing invitation stay valid?",
            "My sister didn't open my invite; how long did she have to accept it?",
        ),
        _f(
            "Members must be at least 13 years old.",
            "13",
            "What is the minimum age for a home member?",
            "How old does my child have to be to get their own member account?",
        ),
    ),
    _p(
        "app-08",
        "Several homes",
        "One Northwind account can manage more than one place, for example a house and a "
        "holiday cabin by the sea.",
        _f(
            "An account can manage up to 5 homes.",
            "5 homes",
            "How many homes can one account manage?",
            "What is the maximum number of properties under a single login?",
        ),
        _f(
            "Switch homes with the house icon at the top left of the Home tab.",
            "house icon",
            "How do I switch between homes in the app?",
            "Where is the control for changing which property I'm looking at?",
        ),
        "Each home has its own devices, members and automations.",
    ),
    _p(
        "app-09",
        "Energy reports",
        "If you use Smart Plugs, the app shows how much electricity your devices use by day, "
        "week and month.",
        _f(
            "A summary is emailed on the first Monday of each month.",
            "first Monday of each month",
            "When is the monthly energy summary emailed?",
            "On which day do I get the electricity usage email?",
        ),
        "You can enter your electricity price per kWh to see costs in your currency.",
        _f(
            "Energy data is kept for 24 months.",
            "24 months",
            "How long is energy data kept?",
            "How far back can I look at my electricity history?",
        ),
    ),
    _p(
        "app-10",
        "Sign-in security",
        "Protect your account with a strong password and two-step verification.",
        _f(
            "Two-step verification can use an authenticator app or text message codes.",
            "authenticator app or text message codes",
            "What methods does two-step verification support?",
            "How can I receive the second sign-in factor?",
        ),
        _f(
            "Text message codes expire after 10 minutes.",
            "10 minutes",
            "How long is an SMS sign-in code valid?",
            "How quickly must I type the code texted to me before it stops working?",
        ),
        _f(
            "After 5 wrong password attempts the account is locked for 30 minutes.",
            "30 minutes",
            "How long is the account locked after too many wrong passwords?",
            "I typed my password wrong several times; how long until I can try again?",
        ),
        _f(
            "",
            "5",
            "How many wrong password attempts lock the account?",
            "After how many failed logins is my account blocked?",
        ),
    ),
    _p(
        "app-11",
        "Passwords",
        "You can reset a forgotten password from the sign-in screen with Forgot password.",
        _f(
            "The reset link is sent to the account's email address and is valid for 24 hours.",
            "24 hours",
            "How long does a password reset link work?",
            "For how long can I use the link in the password email?",
        ),
        _f(
            "Passwords must have at least 10 characters, including one number.",
            "10 characters",
            "What is the minimum password length?",
            "How many characters does a Northwind password need?",
        ),
        _f(
            "The last 3 passwords cannot be reused.",
            "3",
            "How many previous passwords can't be reused?",
            "How many of my old passwords are blocked when I choose a new one?",
        ),
    ),
    _p(
        "app-12",
        "Widgets",
        "Home screen widgets let you control devices without opening the app, and they work "
        "on both iPhone and Android.",
        _f(
            "Widgets come in three sizes: small, medium and large.",
            "three sizes",
            "In how many sizes do the app's widgets come?",
            "How many formats can I choose from when adding the home screen panel?",
        ),
        _f(
            "A large widget shows up to 8 devices.",
            "8 devices",
            "How many devices fit on a large widget?",
            "What is the most devices the biggest widget can display?",
        ),
        _f(
            "Widgets refresh every 15 minutes, or at once when tapped.",
            "every 15 minutes",
            "How often do widgets refresh?",
            "How frequently does the home screen widget update on its own?",
        ),
    ),
    _p(
        "app-13",
        "Location automations",
        "Automations can react when people arrive home or leave, using each phone's "
        "location. Locations are shared only with the hub, never with other members. Each "
        "member can turn location sharing off in their own profile.",
        _f(
            "The smallest geofence radius is 100 metres.",
            "100 metres",
            "What is the smallest geofence radius?",
            "How tight can I draw the area that counts as home?",
        ),
        _f(
            "The largest radius is 2 kilometres.",
            "2 kilometres",
            "What is the biggest radius allowed for a geofence?",
            "How large can the home zone be?",
        ),
    ),
    _p(
        "app-14",
        "Activity log",
        "The activity log lists every event in your home, such as doors opening, alarms and "
        "changes made by members.",
        _f(
            "It covers the last 12 months on every plan.",
            "12 months",
            "How far back does the activity log go?",
            "How long are events kept in the home's history list?",
        ),
        _f(
            "The log can be exported as a CSV file from Settings > Home > Export.",
            "CSV file",
            "In what format can I export the activity log?",
            "What file type do I get when I download my event list?",
        ),
        "You can filter the log by room, device or member.",
    ),
    _p(
        "app-15",
        "Accessibility",
        "The app is designed to be usable by everyone, and all controls have labels for "
        "screen readers.",
        _f(
            "It follows the phone's text size setting up to 200%.",
            "200%",
            "How much larger can text be made in the app?",
            "What is the largest text scaling the app supports?",
        ),
        _f(
            "A high-contrast theme can be turned on under Settings > Display.",
            "Settings > Display",
            "Where do I turn on the high-contrast theme?",
            "Where is the setting for stronger colour contrast in the app?",
        ),
        "Animations can be reduced for people who find motion on screen uncomfortable.",
    ),
    _p(
        "app-16",
        "Security modes",
        "The security system has three modes that decide which sensors can trigger an "
        "alarm: Home, Away and Night.",
        _f(
            "When you arm Away mode, an exit delay of 45 seconds lets you leave.",
            "45 seconds",
            "How long is the exit delay in Away mode?",
            "How much time do I have to get out after arming the system?",
        ),
        _f(
            "An entry delay of 30 seconds gives you time to disarm when you come back.",
            "30 seconds",
            "How long is the entry delay?",
            "After I open the front door, how long do I have before the alarm goes off?",
        ),
        _f(
            "Both delays can be set anywhere from 0 to 120 seconds.",
            "120 seconds",
            "What is the longest exit or entry delay I can set?",
            "How far can I stretch the countdown before the alarm?",
        ),
    ),
    # ------------------------------------------------------------------ subscription
    _p(
        "sub-01",
        "Subscription plans and prices",
        "Northwind offers three optional subscription plans: Basic, Plus and Pro. The hub "
        "and devices work without a plan; a plan adds cloud features such as video history.",
        _f(
            "Basic costs $3.99 per month or $39 per year.",
            "$3.99",
            "What is the monthly price of Basic?",
            "How much is the cheapest plan each month?",
        ),
        _f(
            "",
            "$39",
            "What does a year of Basic cost?",
            "How much is the entry tier if I pay annually?",
        ),
        _f(
            "Plus costs $9.99 per month or $99 per year.",
            "$9.99",
            "How much does Plus cost per month?",
            "What is the monthly fee for the middle tier?",
        ),
        _f(
            "",
            "$99",
            "What is the yearly price of Plus?",
            "How much does the middle tier cost for twelve months paid up front?",
        ),
        _f(
            "Pro costs $19.99 per month or $199 per year.",
            "$19.99",
            "What is the monthly price of Pro?",
            "How much is the top tier per month?",
        ),
        _f(
            "",
            "$199",
            "What is the annual price of Pro?",
            "How much do I pay for a year of the top tier?",
        ),
        "Prices are shown in US dollars; local prices apply in other regions.",
    ),
    _p(
        "sub-02",
        "The Basic plan",
        "Basic is the entry plan, made for homes with a single camera. It does not include "
        "cloud backups of hub settings. Most people with one indoor camera choose it.",
        _f(
            "It keeps 3 days of camera history.",
            "3 days",
            "How many days of camera history does Basic keep?",
            "On the entry plan, how far back can I watch recorded video?",
        ),
        _f(
            "It covers one camera.",
            "one camera",
            "How many cameras does the Basic plan cover?",
            "How many cameras can record to the cloud on the entry tier?",
        ),
        _f(
            "Basic adds snapshots to motion notifications.",
            "snapshots",
            "What does Basic add to motion notifications?",
            "What extra do motion alerts show with the entry plan?",
        ),
    ),
    _p(
        "sub-03",
        "The Plus plan",
        "Plus is the most popular plan, made for homes with a few cameras.",
        _f(
            "It keeps 30 days of camera history.",
            "30 days",
            "How much camera history does Plus keep?",
            "With the middle plan, how many days of recordings can I scroll back through?",
        ),
        _f(
            "It covers up to 5 cameras.",
            "5 cameras",
            "How many cameras does Plus cover?",
            "What is the camera limit on the middle tier?",
        ),
        _f(
            "Plus adds person and package detection to camera alerts.",
            "person and package detection",
            "What detection features does Plus add?",
            "Which smart camera alerts come with the middle tier?",
        ),
        _f(
            "It also adds nightly cloud backups of hub settings.",
            "nightly",
            "How often are cloud backups made on Plus?",
            "With the middle tier, how often is my hub's configuration copied online?",
        ),
    ),
    _p(
        "sub-04",
        "The Pro plan",
        "Pro includes everything in Plus and adds services for people who want their home "
        "watched around the clock.",
        _f(
            "It keeps 60 days of camera history.",
            "60 days",
            "How many days of camera history does Pro keep?",
            "On the top tier, how long are recordings stored?",
        ),
        _f(
            "It covers an unlimited number of cameras.",
            "unlimited",
            "How many cameras does Pro cover?",
            "Is there a camera limit on the top tier?",
        ),
        _f(
            "Pro adds 24/7 professional monitoring.",
            "Pro",
            "Which plan do I need for professional monitoring?",
            "Which tier gives me people watching my alarms day and night?",
        ),
        _f(
            "If the home internet fails, a Pro hub sends alarms over the included 4G "
            "Cellular Stick.",
            "4G Cellular Stick",
            "How does a Pro hub send alarms when the internet is down?",
            "What keeps the top-tier alarm connected if my broadband fails?",
        ),
        _f(
            "Pro members get 10% off accessories in the Northwind store.",
            "10%",
            "What discount do Pro members get on accessories?",
            "How much cheaper are sensors for top-tier subscribers?",
        ),
    ),
    _p(
        "sub-05",
        "The free trial",
        "Every new hub comes with a free trial so you can try the paid features before you decide.",
        _f(
            "The trial gives you 30 days of Plus.",
            "30 days",
            "How long is the free trial?",
            "For how many days can a new hub owner try the paid features for free?",
        ),
        _f(
            "",
            "Plus",
            "Which plan does the free trial include?",
            "Which tier do I get to try when I set up a new hub?",
        ),
        "No payment card is needed to start the trial.",
        _f(
            "Each account can use the free trial once.",
            "once",
            "How many times can one account use the free trial?",
            "How often is a trial allowed per account?",
        ),
        "When the trial ends, the home continues without a plan and nothing is charged.",
    ),
    _p(
        "sub-06",
        "Billing and payment",
        "Plans are billed in advance, monthly or yearly. Monthly plans renew on the same day "
        "of the month as the first payment.",
        _f(
            "Northwind accepts credit cards, debit cards and Northwind gift cards.",
            "Northwind gift cards",
            "Apart from credit and debit cards, what can I pay for a plan with?",
            "Besides bank cards, which payment method does Northwind take?",
        ),
        _f(
            "A failed payment is retried 3 times over 9 days.",
            "3 times",
            "How many times is a failed payment retried?",
            "If my card is declined, how many more attempts will Northwind make?",
        ),
        _f(
            "",
            "9 days",
            "Over how many days are failed payments retried?",
            "For how long does Northwind keep trying a declined card?",
        ),
        _f(
            "If all retries fail, the plan is paused until the payment details are updated.",
            "paused",
            "What happens to my plan if every payment retry fails?",
            "What becomes of my subscription when the card keeps getting declined?",
        ),
    ),
    _p(
        "sub-07",
        "Changing plans",
        "You can switch plans at any time in the app, and your devices and settings stay "
        "exactly as they are.",
        _f(
            "Upgrades take effect immediately, and you pay the difference for the rest of "
            "the billing period.",
            "immediately",
            "When does a plan upgrade take effect?",
            "If I move up a tier, how soon do I get the new features?",
        ),
        _f(
            "Downgrades take effect at the end of the current billing period.",
            "end of the current billing period",
            "When does a downgrade start?",
            "If I switch to a cheaper plan, when does the change happen?",
        ),
        _f(
            "After a downgrade, camera history beyond the new plan's limit is deleted after "
            "7 days.",
            "7 days",
            "How long after a downgrade is extra camera history deleted?",
            "When will older recordings disappear if I move to a smaller plan?",
        ),
    ),
    _p(
        "sub-08",
        "Cancellation and refunds",
        "You can cancel a plan at any time, and the hub and all devices keep working "
        "without one. Cancelling only removes the cloud features of the plan, such as video "
        "history, detections and monitoring. This page explains how cancelling works and "
        "what you get back.",
        _f(
            "Cancel in the app under Account > Subscription > Cancel plan.",
            "Account > Subscription > Cancel plan",
            "Where in the app do I cancel my plan?",
            "How do I stop my subscription from my phone?",
        ),
        _f(
            "Yearly plans cancelled within 14 days of purchase get a full refund.",
            "14 days",
            "Within how many days can I cancel a yearly plan for a full refund?",
            "How long do I have to get all my money back after buying an annual subscription?",
        ),
        _f(
            "After that, yearly plans are refunded pro rata for each whole unused month.",
            "pro rata",
            "How is a yearly plan refunded after the full-refund window?",
            "If I cancel my annual plan halfway through, how is my refund worked out?",
        ),
        _f(
            "Monthly plans are not refunded; they stay active until the end of the paid month.",
            "not refunded",
            "What refund do I get when I cancel a monthly plan?",
            "Do I get money back if I end a month-to-month subscription early?",
        ),
        _f(
            "Camera history is kept for 15 days after cancelling, so you can still download clips.",
            "15 days",
            "How long is camera history kept after cancelling?",
            "After I end my plan, how long can I still save my recordings?",
        ),
        "You can restart a cancelled plan at any time from the same page. If you cancel "
        "during the free trial, nothing is charged and the trial simply ends early. "
        "Cancelling in the app or on the web dashboard works the same way, and you get a "
        "confirmation email straight away.",
        long=True,
    ),
    _p(
        "sub-09",
        "Discounts",
        "Northwind offers a few discounts on plans. Discounts cannot be combined with each other.",
        _f(
            "Students get 40% off the Plus plan with a valid university email address.",
            "40%",
            "How big is the student discount on Plus?",
            "What percentage do university students save on the middle plan?",
        ),
        _f(
            "",
            "valid university email address",
            "What do students need to get the discount?",
            "What must a student show to get the lower price?",
        ),
        _f(
            "A second home on the same account can be added to a Pro plan for $5 per month.",
            "$5 per month",
            "How much does it cost to add a second home to Pro?",
            "What is the extra monthly charge to cover my holiday cabin under my top-tier plan?",
        ),
    ),
    _p(
        "sub-10",
        "Professional monitoring",
        "With Pro, a monitoring centre watches your alarms day and night and calls for help "
        "when needed.",
        _f(
            "The centre answers an alarm within 20 seconds on average.",
            "20 seconds",
            "How quickly does the monitoring centre answer an alarm on average?",
            "What is the typical response time of the people watching my alarms?",
        ),
        _f(
            "Monitoring is available in the United States, Canada and the United Kingdom.",
            "United Kingdom",
            "In which European country is professional monitoring available?",
            "Apart from the US and Canada, where is monitoring offered?",
        ),
        _f(
            "To cancel a false alarm, give the verbal passcode you set in the app.",
            "verbal passcode",
            "What do I tell the monitoring centre to cancel a false alarm?",
            "How do I prove to the operators that an alarm was a mistake?",
        ),
        _f(
            "If you do not answer, the centre calls up to 3 emergency contacts.",
            "3 emergency contacts",
            "How many emergency contacts will the monitoring centre call?",
            "If I don't pick up, how many other people does the monitoring team try?",
        ),
    ),
    _p(
        "sub-11",
        "Camera clips",
        "Cameras on a plan record clips when they detect motion and save them to the cloud, "
        "where you can watch them in the app.",
        _f(
            "A clip lasts at most 2 minutes.",
            "2 minutes",
            "What is the maximum length of a recorded clip?",
            "How long can one motion recording be?",
        ),
        _f(
            "Downloaded clips are saved as MP4 files.",
            "MP4",
            "What format are downloaded clips in?",
            "Which video file type do I get when I save a recording to my phone?",
        ),
        _f(
            "A clip can be shared with a link that expires after 5 days.",
            "5 days",
            "How long does a shared clip link last?",
            "If I send someone a link to a recording, when does it stop working?",
        ),
    ),
    _p(
        "sub-12",
        "Gift cards",
        "Northwind gift cards can be used for hardware in the online store and for "
        "subscription plans. They cannot be exchanged for cash.",
        _f(
            "They come in values of $25, $50 and $100.",
            "$100",
            "What is the largest gift card value?",
            "What's the highest amount a single Northwind voucher can be worth?",
        ),
        _f(
            "Gift cards never expire.",
            "never expire",
            "When do Northwind gift cards expire?",
            "Is there a deadline to spend a voucher?",
        ),
        "A gift card can be split across several orders until its balance is used up.",
    ),
    # ------------------------------------------------------------------ shipping
    _p(
        "ship-01",
        "Where we ship",
        "Northwind sells directly through its online store, and every order is sent from one "
        "of our own warehouses.",
        _f(
            "Orders ship to the United States, Canada, the United Kingdom and 14 countries "
            "of the European Union.",
            "14",
            "How many EU countries does Northwind ship to?",
            "To how many European Union member states are orders delivered?",
        ),
        _f(
            "Orders cannot be delivered to PO boxes.",
            "PO boxes",
            "What kind of address can't Northwind deliver to?",
            "Which type of delivery address is not accepted?",
        ),
        _f(
            "Prices on the EU store include VAT, and no customs fees are charged on delivery.",
            "VAT",
            "Which tax is included in EU store prices?",
            "What sales tax is already in the prices on the European store?",
        ),
    ),
    _p(
        "ship-02",
        "Delivery in the United States",
        "Orders in the United States are packed and sent by our own team.",
        _f(
            "They ship from our warehouse in Reno.",
            "Reno",
            "Where is Northwind's US warehouse?",
            "From which city are American orders shipped?",
        ),
        _f(
            "Standard delivery takes 3 to 5 business days.",
            "3 to 5 business days",
            "How long does standard delivery take in the US?",
            "If I pick the normal shipping option in America, when should my parcel arrive?",
        ),
        _f(
            "Express delivery takes 1 to 2 business days and costs $14.95.",
            "$14.95",
            "How much does express delivery cost in the US?",
            "What is the price of the faster shipping option in America?",
        ),
        _f(
            "Standard delivery is free on orders over $50.",
            "$50",
            "Above what order value is standard delivery free in the US?",
            "How much do I need to spend in America to get free shipping?",
        ),
    ),
    _p(
        "ship-03",
        "Delivery in Canada and the United Kingdom",
        "Orders to Canada and the United Kingdom are sent from local warehouses, so there "
        "are no import fees to pay on arrival.",
        _f(
            "Delivery to Canada takes 5 to 8 business days.",
            "5 to 8 business days",
            "How long does delivery to Canada take?",
            "When will my order reach me in Canada?",
        ),
        _f(
            "UK orders ship from our warehouse in Leeds.",
            "Leeds",
            "Where is Northwind's UK warehouse?",
            "From which British city are UK parcels sent?",
        ),
        _f(
            "UK delivery takes 2 to 4 business days.",
            "2 to 4 business days",
            "How long does delivery take in the UK?",
            "How many working days until an order reaches me in Britain?",
        ),
    ),
    _p(
        "ship-04",
        "Delivery in the European Union",
        "European orders are handled by our EU store, and prices there are shown in euros.",
        _f(
            "EU orders ship from Rotterdam.",
            "Rotterdam",
            "Where do EU orders ship from?",
            "Which city is the European warehouse in?",
        ),
        _f(
            "They arrive in 3 to 6 business days.",
            "3 to 6 business days",
            "How long does delivery in the EU take?",
            "How many working days until a parcel reaches me on the continent?",
        ),
        _f(
            "Delivery in the EU costs €4.95, or is free on orders over €60.",
            "€4.95",
            "What does delivery cost in the EU?",
            "How much is shipping on a small European order?",
        ),
        _f(
            "",
            "€60",
            "Above what order value is delivery in the EU free?",
            "How much must I spend on the European store to skip the shipping charge?",
        ),
    ),
    _p(
        "ship-05",
        "Order tracking and dispatch",
        "You can follow every order in the app under Account > Orders, from payment to delivery.",
        _f(
            "A tracking number is emailed within 12 hours of dispatch.",
            "12 hours",
            "How soon after dispatch do I get a tracking number?",
            "When will the email with my parcel's tracking code arrive?",
        ),
        _f(
            "Order numbers start with NW- followed by five digits.",
            "NW- followed by five digits",
            "What do Northwind order numbers look like?",
            "What is the format of an order reference?",
        ),
        _f(
            "Orders placed before 14:00 Eastern Time on a business day ship the same day.",
            "14:00 Eastern Time",
            "What is the cut-off time for same-day dispatch?",
            "By what time must I order for my parcel to leave the same day?",
        ),
    ),
    _p(
        "ship-06",
        "Changing or cancelling an order",
        "Orders are packed quickly, so changes are only possible for a short time after you order.",
        _f(
            "You can change or cancel an order for 1 hour after placing it.",
            "1 hour",
            "How long after ordering can I still cancel?",
            "What is the window to edit an order once it's placed?",
        ),
        _f(
            "After dispatch the address cannot be changed; contact the carrier instead.",
            "carrier",
            "Who do I contact to change the address after an order ships?",
            "My parcel is already on its way; who can redirect it?",
        ),
        _f(
            "A cancelled order is refunded within 3 business days.",
            "3 business days",
            "How fast is a cancelled order refunded?",
            "When do I get my money back for an order I called off?",
        ),
    ),
    _p(
        "ship-07",
        "Lost or damaged parcels",
        "Sometimes parcels go missing or arrive damaged. We will replace or refund them, as "
        "long as you tell us in time.",
        _f(
            "Report a missing parcel within 21 days of the expected delivery date.",
            "21 days",
            "How long do I have to report a missing parcel?",
            "My order never came; what is the deadline to tell Northwind?",
        ),
        _f(
            "Damaged parcels must be reported within 48 hours of delivery, with photos.",
            "48 hours",
            "How soon must a damaged delivery be reported?",
            "The box arrived crushed. By when do I need to tell you?",
        ),
        _f(
            "",
            "photos",
            "What do I need to send when reporting a damaged parcel?",
            "What evidence should go with my report of a broken delivery?",
        ),
    ),
    _p(
        "ship-08",
        "Gift orders",
        "Any order can be sent as a gift to another address in the same country, and you can "
        "choose gift wrap at checkout.",
        _f(
            "You can add a gift message of up to 200 characters.",
            "200 characters",
            "How long can a gift message be?",
            "How much can I write on the card that comes with a present?",
        ),
        _f(
            "Prices are hidden on the packing slip of gift orders.",
            "Prices",
            "What is hidden on the packing slip of a gift order?",
            "If I send a present, what won't the recipient see on the paperwork?",
        ),
    ),
    # ------------------------------------------------------------------ returns
    _p(
        "ret-01",
        "Returns policy",
        "We want you to be happy with your Northwind products, and if something is not "
        "right you can send it back. This page explains the return window, the condition "
        "items must be in and the fees that may apply. Unopened items are refunded in full, "
        "and faulty items never carry a restocking fee.",
        _f(
            "Hardware bought from the Northwind store can be returned within 45 days of delivery.",
            "45 days",
            "How many days do I have to return a product bought from Northwind?",
            "What is the return window for hardware from the Northwind store?",
        ),
        _f(
            "Items bought from other shops follow that shop's return policy.",
            "that shop's return policy",
            "What decides whether a hub bought at another retailer can be returned?",
            "I bought my sensor in an electronics chain; whose rules apply to sending it back?",
        ),
        _f(
            "Opened items in good condition carry a 15% restocking fee.",
            "15%",
            "What is the restocking fee on opened items?",
            "How much is deducted if I return something I've unboxed?",
        ),
        _f(
            "Returned items must include all cables and accessories, or a $10 fee per "
            "missing part applies.",
            "$10",
            "What is the fee for each missing part in a return?",
            "If I forget the cable when sending a hub back, how much will I be charged?",
        ),
        "Returning a hub does not cancel a plan, so cancel it separately in the app. Please "
        "pack returned items in their original box if you still have it, or in a sturdy box "
        "of a similar size. Keep the return receipt until your refund has arrived. "
        "Refurbished items and items bought on sale follow the same rules.",
        long=True,
    ),
    _p(
        "ret-02",
        "How to return an item",
        "Returns are started online, and you never need to call us or print a form.",
        _f(
            "Start a return in the app or at returns.northwind.example.",
            "returns.northwind.example",
            "Which website do I use to start a return?",
            "Where online can I begin sending something back?",
        ),
        _f(
            "A prepaid return label is emailed within 1 business day.",
            "1 business day",
            "How soon will I get my return label?",
            "After I request a return, when does the postage label arrive?",
        ),
        _f(
            "Return shipping is free in the United States and Canada.",
            "United States and Canada",
            "In which countries is return shipping free?",
            "Where can I send items back without paying postage?",
        ),
        _f(
            "In the UK it costs £4.95 and in the EU €5.95.",
            "£4.95",
            "How much is return shipping in the UK?",
            "What does it cost to post a return from Britain?",
        ),
        _f(
            "",
            "€5.95",
            "What does return shipping cost in the EU?",
            "How much do I pay to send an item back from the continent?",
        ),
    ),
    _p(
        "ret-03",
        "Refunds for returns",
        "Once your return arrives, the warehouse checks it before the refund is issued, so "
        "pack items carefully.",
        _f(
            "Refunds are issued within 5 business days of the return arriving.",
            "5 business days",
            "How long after my return arrives is the refund issued?",
            "When will I see my money after the warehouse receives my parcel?",
        ),
        _f(
            "Refunds go to the original payment method.",
            "original payment method",
            "Where does the money from a returned item go?",
            "Which account or card will the money be returned to?",
        ),
        _f(
            "Purchases paid with a gift card are refunded as store credit.",
            "store credit",
            "How are gift card purchases refunded?",
            "I paid with a voucher; what form will my refund take?",
        ),
    ),
    _p(
        "ret-04",
        "Items that cannot be returned",
        "Most items can be returned, with a few exceptions listed here. Subscriptions are "
        "not returned this way; see the page on cancellation and refunds.",
        _f(
            "Gift cards and items marked Final Sale cannot be returned.",
            "Final Sale",
            "What label marks sale items that can't be returned?",
            "How can I tell if a discounted item is non-returnable?",
        ),
        _f(
            "Opened Smart Bulbs can only be returned if they are faulty.",
            "faulty",
            "When can an opened Smart Bulb be returned?",
            "Under what condition will you take back a bulb I've taken out of its box?",
        ),
    ),
    _p(
        "ret-05",
        "Exchanges",
        "If you want a different product, the simplest way is to return the item and place "
        "a new order.",
        _f(
            "With Advance Exchange, the replacement ships before you send the original back.",
            "Advance Exchange",
            "What is the option where the new item ships before I return the old one?",
            "How can I get the replacement first and send my item back afterwards?",
        ),
        _f(
            "Advance Exchange places a hold for the item's price on your card until the "
            "original arrives.",
            "hold for the item's price",
            "What happens on my card with an Advance Exchange?",
            "What does the ship-first swap do to my credit card?",
        ),
        _f(
            "The original must be sent back within 14 days or the hold is charged.",
            "within 14 days",
            "How long do I have to send back the original in an Advance Exchange?",
            "If I use the ship-first swap, what is my deadline to return the old item?",
        ),
    ),
    # ------------------------------------------------------------------ warranty
    _p(
        "war-01",
        "Hub warranty",
        "Every Northwind hub comes with a limited hardware warranty that covers defects in "
        "materials and workmanship from the date of delivery.",
        _f(
            "The Hub 2 is covered for 2 years.",
            "2 years",
            "How long is the Hub 2 warranty?",
            "For how many years is the flagship hub covered against defects?",
        ),
        _f(
            "The Hub Mini is covered for 1 year.",
            "1 year",
            "How long is the warranty on the Hub Mini?",
            "How long is the compact hub covered against faults?",
        ),
        _f(
            "Pro subscribers get the Hub 2 warranty extended to 3 years.",
            "3 years",
            "How long is the Hub 2 warranty for Pro subscribers?",
            "With a top-tier plan, how many years is the flagship hub covered?",
        ),
    ),
    _p(
        "war-02",
        "Accessory warranty",
        "Accessories are covered by a limited warranty from the date of delivery, and the "
        "length depends on the kind of product.",
        _f(
            "Sensors, plugs and bulbs are covered for 1 year.",
            "1 year",
            "How long is the warranty on sensors and plugs?",
            "For how long is a Smart Plug covered if it stops working?",
        ),
        _f(
            "The Indoor Camera is covered for 2 years.",
            "2 years",
            "How long is the Indoor Camera warranty?",
            "For how long is the indoor cam covered against defects?",
        ),
        _f(
            "The Outdoor Camera is covered for 18 months.",
            "18 months",
            "How long is the warranty of the Outdoor Camera?",
            "How long is the cover for the weatherproof camera?",
        ),
        _f(
            "Batteries are covered for 6 months.",
            "6 months",
            "What is the warranty period for batteries?",
            "How long are the cells that come with sensors covered?",
        ),
    ),
    _p(
        "war-03",
        "What the warranty does not cover",
        "The warranty covers faults that appear with normal use. It does not cover damage "
        "you cause, and indoor devices used outdoors are not covered.",
        _f(
            "The warranty is void if you open the case or remove the serial label.",
            "remove the serial label",
            "Apart from opening the case, what voids the warranty?",
            "Besides taking a device apart, what action cancels its cover?",
        ),
        _f(
            "Damage from liquids is not covered, except for the Leak Sensor and the Outdoor "
            "Camera.",
            "Leak Sensor and the Outdoor Camera",
            "Which devices are covered for liquid damage?",
            "Which products are still covered if water gets into them?",
        ),
        _f(
            "Using a power adapter rated above 20 W with a hub also voids its warranty.",
            "20 W",
            "Above what power rating does another adapter void a hub's warranty?",
            "How strong a charger can I use with my hub without losing the cover?",
        ),
    ),
    _p(
        "war-04",
        "Making a warranty claim",
        "If a device stops working, first try the troubleshooting steps in the app, because "
        "many problems can be fixed at home.",
        _f(
            "Claims are made in the app under Support > Warranty claim.",
            "Support > Warranty claim",
            "Where in the app do I make a warranty claim?",
            "Where do I report a faulty device so it gets replaced for free?",
        ),
        _f(
            "You need the device's serial number.",
            "serial number",
            "What do I need to make a warranty claim?",
            "What detail about the device must I provide for a replacement?",
        ),
        _f(
            "Approved claims get a replacement shipped within 2 business days.",
            "2 business days",
            "How quickly is a replacement shipped once a claim is approved?",
            "After my claim is accepted, when will the new device be sent?",
        ),
        _f(
            "A replacement is covered for the rest of the original warranty or 90 days, "
            "whichever is longer.",
            "90 days",
            "What is the minimum warranty on a replacement device?",
            "How long is a replacement covered if my original warranty had almost run out?",
        ),
    ),
    _p(
        "war-05",
        "Northwind Care",
        "Northwind Care is optional extra cover for your devices, bought for each device "
        "separately.",
        _f(
            "It extends the warranty to 4 years.",
            "4 years",
            "To how many years does Northwind Care extend the warranty?",
            "How long am I covered in total with the extra protection plan?",
        ),
        _f(
            "It adds accidental damage cover, with 2 claims per device.",
            "2 claims",
            "How many accidental damage claims does Northwind Care allow per device?",
            "How many times can I claim for a device I broke myself with the extra cover?",
        ),
        _f(
            "Northwind Care costs $29 per device.",
            "$29",
            "How much does Northwind Care cost per device?",
            "What is the price of the extra protection for one device?",
        ),
        _f(
            "It must be bought within 30 days of the device's delivery.",
            "30 days",
            "How soon after delivery must Northwind Care be bought?",
            "What is the deadline for adding extra protection to a device I just received?",
        ),
    ),
    _p(
        "war-06",
        "Repairs outside the warranty",
        "When the warranty has ended, Northwind can still repair a hub for a fixed price. "
        "Start a repair in the app under Support > Repairs.",
        _f(
            "An out-of-warranty repair of a Hub 2 costs a flat $49.",
            "$49",
            "How much does an out-of-warranty Hub 2 repair cost?",
            "What will I pay to fix my flagship hub once the cover has run out?",
        ),
        _f(
            "Repairs take about 10 business days, including shipping both ways.",
            "10 business days",
            "How long does an out-of-warranty repair take?",
            "How long will I be without my hub while it is being fixed?",
        ),
    ),
    # ------------------------------------------------------------------ devices
    _p(
        "acc-01",
        "Motion Sensor",
        "The Motion Sensor detects people moving in a room and can trigger lights or alarms.",
        _f(
            "It sees movement up to 9 metres away.",
            "9 metres",
            "What is the detection range of the Motion Sensor?",
            "How far away can the motion detector spot someone?",
        ),
        _f(
            "It has a 120-degree field of view.",
            "120-degree",
            "How wide is the field of view of the Motion Sensor?",
            "What viewing angle does the motion detector cover?",
        ),
        _f(
            "Pet immunity ignores animals up to 25 kg.",
            "25 kg",
            "Up to what weight are pets ignored by the Motion Sensor?",
            "How heavy can my dog be without setting off the motion detector?",
        ),
        _f(
            "It runs on one CR123A battery that lasts about 2 years.",
            "CR123A",
            "What battery does the Motion Sensor use?",
            "Which battery type should I buy for my motion detector?",
        ),
        _f(
            "It costs $34.99.",
            "$34.99",
            "How much is the Motion Sensor?",
            "What is the price of the motion detector?",
        ),
    ),
    _p(
        "acc-02",
        "Door Sensor",
        "The Door Sensor tells you when a door or window opens. It has two parts, the sensor "
        "and a magnet, and sends a tamper alert if its cover is removed.",
        _f(
            "Mount the magnet no more than 2 centimetres from the sensor.",
            "2 centimetres",
            "How close does the magnet need to be to the Door Sensor?",
            "What is the maximum gap between the two parts of the door sensor?",
        ),
        _f(
            "It uses a CR2032 coin cell that lasts up to 3 years.",
            "CR2032",
            "Which battery goes in the Door Sensor?",
            "What coin cell should I buy for my door and window sensor?",
        ),
        _f(
            "",
            "3 years",
            "How long does the battery of the Door Sensor last?",
            "How often will I need to change the cell in my door and window sensor?",
        ),
        _f(
            "The Door Sensor costs $24.99.",
            "$24.99",
            "What does the Door Sensor cost?",
            "How much is one door and window sensor?",
        ),
    ),
    _p(
        "acc-03",
        "Smart Plug",
        "The Smart Plug switches any lamp or appliance on and off from the app, and a "
        "button on its side works it by hand.",
        _f(
            "It connects over Zigbee and also works as a Zigbee repeater, extending the "
            "network's range.",
            "Zigbee repeater",
            "What does the Smart Plug do for the wireless network?",
            "Besides switching power, what role does the plug play in the mesh?",
        ),
        _f(
            "It is sold in a two-pack for $39.99.",
            "$39.99",
            "How much does a two-pack of Smart Plugs cost?",
            "What is the price of a pair of smart plugs?",
        ),
        _f(
            "It measures energy use every 5 seconds.",
            "every 5 seconds",
            "How often does the Smart Plug measure energy?",
            "At what interval does the plug record power use?",
        ),
    ),
    _p(
        "acc-04",
        "Leak Sensor",
        "The Leak Sensor warns you about water where it should not be, for example under a "
        "sink or next to a washing machine.",
        _f(
            "When it detects water it sounds an 85-decibel siren.",
            "85-decibel",
            "How loud is the siren of the Leak Sensor?",
            "What volume does the water sensor's alarm reach?",
        ),
        _f(
            "It runs on two AAA batteries.",
            "two AAA batteries",
            "What batteries does the Leak Sensor use?",
            "What should I buy to power the water detector?",
        ),
        _f(
            "An optional 2 metre probe cable reaches behind appliances.",
            "2 metre",
            "How long is the optional probe cable of the Leak Sensor?",
            "How far behind the washing machine can the water sensor's extension reach?",
        ),
    ),
    _p(
        "acc-05",
        "Indoor Camera",
        "The Indoor Camera watches a room and records clips when it sees motion, and it can "
        "stream live to the app at any time.",
        _f(
            "It records 2K video at 30 frames per second.",
            "2K",
            "What resolution does the Indoor Camera record in?",
            "How sharp is the video from the indoor cam?",
        ),
        _f(
            "Night vision reaches 8 metres.",
            "8 metres",
            "How far does the Indoor Camera see at night?",
            "What is the range of the indoor cam in the dark?",
        ),
        _f(
            "A motorised privacy shutter closes over the lens when the home is in Home mode.",
            "privacy shutter",
            "What covers the lens of the Indoor Camera in Home mode?",
            "How does the indoor cam stop watching while we're in?",
        ),
        _f(
            "It costs $59.",
            "$59",
            "How much is the Indoor Camera?",
            "What is the price of the indoor cam?",
        ),
    ),
    _p(
        "acc-06",
        "Outdoor Camera",
        "The Outdoor Camera runs on a rechargeable battery and is built for gardens, drives "
        "and front doors.",
        _f(
            "It is rated IP65 against dust and rain.",
            "IP65",
            "What is the weatherproof rating of the Outdoor Camera?",
            "How well is the garden camera protected against rain?",
        ),
        _f(
            "A full charge lasts up to 4 months.",
            "4 months",
            "How long does the battery of the Outdoor Camera last?",
            "How often will I need to recharge the garden camera?",
        ),
        _f(
            "It works in temperatures from minus 20 to 50 degrees Celsius.",
            "minus 20",
            "What is the coldest temperature the Outdoor Camera works in?",
            "Will the garden camera survive a freezing winter? How cold can it get?",
        ),
        _f(
            "A 400 lumen spotlight switches on when it sees a person at night.",
            "400 lumen",
            "How bright is the spotlight of the Outdoor Camera?",
            "How strong is the light on the garden camera?",
        ),
    ),
    _p(
        "acc-07",
        "Smart Bulb",
        "The Smart Bulb can be dimmed and set to any colour or shade of white from the app "
        "or by an automation.",
        _f(
            "It gives up to 800 lumens of light.",
            "800 lumens",
            "How bright is the Smart Bulb?",
            "What is the maximum light output of the colour bulb?",
        ),
        _f(
            "In North America it has an E26 base.",
            "E26",
            "What base does the Smart Bulb have in North America?",
            "Which screw fitting does the colour bulb use in the US?",
        ),
        _f(
            "In Europe and the UK it has an E27 base.",
            "E27",
            "Which base does the Smart Bulb use in Europe?",
            "What lamp socket does the British version of the colour bulb fit?",
        ),
        _f(
            "Up to 20 bulbs can be grouped and controlled together.",
            "20 bulbs",
            "How many bulbs can be in one group?",
            "What is the most lights I can control together as one?",
        ),
    ),
    _p(
        "acc-08",
        "Keypad",
        "The Keypad lets you arm and disarm the system at the door without a phone, and it "
        "hangs on the wall next to the entrance.",
        _f(
            "Access codes have 4 to 8 digits.",
            "4 to 8 digits",
            "How many digits can a Keypad code have?",
            "How long can the PIN for the wall panel be?",
        ),
        _f(
            "Each home can have up to 25 access codes.",
            "25 access codes",
            "How many access codes can a home have?",
            "How many different PINs can I hand out?",
        ),
        _f(
            "Three wrong codes in a row lock the Keypad for 90 seconds.",
            "90 seconds",
            "How long is the Keypad locked after three wrong codes?",
            "If someone keeps typing the wrong PIN, how long is the wall panel blocked?",
        ),
    ),
    _p(
        "acc-09",
        "Indoor Siren",
        "The Indoor Siren makes sure an alarm is heard in every room of the house, even "
        "when the phones are away.",
        _f(
            "It reaches 105 decibels.",
            "105 decibels",
            "How loud is the Indoor Siren?",
            "What volume does the alarm sounder reach?",
        ),
        _f(
            "It plugs into a wall socket and has a backup battery that lasts 12 hours.",
            "12 hours",
            "How long does the backup battery of the Indoor Siren last?",
            "If the power is cut, how long can the alarm sounder keep going?",
        ),
        _f(
            "By default it sounds for 6 minutes.",
            "6 minutes",
            "How long does the siren sound by default?",
            "When the alarm goes off, for how long will the sounder wail?",
        ),
    ),
    _p(
        "acc-10",
        "Devices from other brands",
        "The Hub 2 works with many devices from other brands, as long as they use a "
        "supported standard. They are added with the same pairing steps as Northwind "
        "devices.",
        _f(
            "A list of tested devices is published at works-with.northwind.example.",
            "works-with.northwind.example",
            "Where can I find the list of third-party devices tested with the hub?",
            "Is there a page that says which other brands' gadgets work with Northwind?",
        ),
        "Cameras from other brands cannot be added.",
    ),
    _p(
        "acc-11",
        "Starter Kit",
        "The Starter Kit is the easiest way to begin with Northwind, with everything for a "
        "typical flat in one box.",
        _f(
            "It includes a Hub 2, two Door Sensors and one Motion Sensor.",
            "two",
            "How many Door Sensors are in the Starter Kit?",
            "How many door and window sensors come in the beginner bundle?",
        ),
        _f(
            "The Starter Kit costs $179.",
            "$179",
            "What does the Starter Kit cost?",
            "How much is the beginner bundle?",
        ),
        "Extra sensors can be added at any time.",
    ),
    # ------------------------------------------------------------------ troubleshooting
    _p(
        "tro-01",
        "The hub is offline",
        "If the app shows your hub as offline, work through these steps in order. Most "
        "problems are caused by the router or the home network rather than the hub itself, "
        "and automations keep running locally while you fix them.",
        _f(
            "First, restart your router and wait 2 minutes before checking the app again.",
            "2 minutes",
            "After restarting the router, how long should I wait before checking the app?",
            "How many minutes should pass after rebooting my router before I look again?",
        ),
        _f(
            "If the hub is still offline, connect it to the router with the Ethernet cable "
            "to rule out a Wi-Fi problem.",
            "Ethernet cable",
            "How can I rule out a Wi-Fi problem with an offline hub?",
            "What should I plug in to test whether wireless is why the hub is offline?",
        ),
        _f(
            "If it still does not connect, send support the diagnostic code shown under Hub "
            "settings > About.",
            "Hub settings > About",
            "Where do I find the hub's diagnostic code?",
            "Where in the app is the code support asks for when the hub won't connect?",
        ),
        _f(
            "Hubs that stay offline for 30 days are removed from the cloud service but keep "
            "working locally.",
            "30 days",
            "After how long offline is a hub removed from the cloud service?",
            "How long can my hub be disconnected before Northwind's servers drop it?",
        ),
        "Also check that the router has not blocked the hub, for example with a parental "
        "control setting. The Hub Mini cannot use a cable, so for a Hub Mini try moving it "
        "closer to the router instead. Moving any hub away from thick walls and other "
        "electronics can help as well.",
        long=True,
    ),
    _p(
        "tro-02",
        "A device will not pair",
        "Most pairing problems come from distance, or from a device that was paired with "
        "another hub before.",
        _f(
            "Keep the device within 1 metre of the hub while pairing.",
            "1 metre",
            "How close should a device be to the hub while pairing?",
            "What distance from the hub is best when adding a new sensor?",
        ),
        _f(
            "Pairing mode stays on for 3 minutes.",
            "3 minutes",
            "How long does the hub stay in pairing mode?",
            "How much time do I have to add a device after starting pairing?",
        ),
        _f(
            "To reset a sensor that was paired before, hold its button for 5 seconds.",
            "5 seconds",
            "How long do I hold a sensor's button to reset it?",
            "A sensor was used with another hub; how long must I press its button to clear it?",
        ),
    ),
    _p(
        "tro-03",
        "Choppy camera video",
        "Choppy or frozen video usually means the camera does not get enough bandwidth from "
        "your home network.",
        _f(
            "Each camera needs at least 1.5 Mbps of upload speed for 2K video.",
            "1.5 Mbps",
            "What upload speed does each camera need?",
            "How much upstream bandwidth is required per camera for full quality?",
        ),
        _f(
            "Lowering the stream quality to 1080p halves the bandwidth needed.",
            "1080p",
            "To what quality can I lower the stream to halve the bandwidth?",
            "Which video setting uses half the data?",
        ),
        _f(
            "Cameras should have a Wi-Fi signal of at least two bars in the app.",
            "two bars",
            "How strong should the Wi-Fi signal of a camera be?",
            "What signal level does the app recommend for cameras?",
        ),
    ),
    _p(
        "tro-04",
        "Battery warnings",
        "Battery-powered devices report their battery level to the hub every few hours. Use "
        "only the battery type printed inside the battery cover.",
        _f(
            "The app warns you when a battery drops below 20%.",
            "20%",
            "At what battery level does the app warn me?",
            "How low does a sensor battery get before I'm told to change it?",
        ),
        _f(
            "Most sensors keep working for about 2 weeks after the first warning.",
            "2 weeks",
            "How long does a sensor keep working after the low battery warning?",
            "After the first battery alert, how much time do I have before a sensor stops?",
        ),
    ),
    _p(
        "tro-05",
        "False motion alerts",
        "If a Motion Sensor triggers when nobody is there, check where it is pointing and how "
        "sensitive it is.",
        _f(
            "Do not point it at heaters, windows or air vents, because moving warm air can "
            "trigger it.",
            "heaters, windows or air vents",
            "What should a Motion Sensor not be pointed at?",
            "Which things near a motion detector cause false alarms?",
        ),
        _f(
            "Sensitivity has 5 levels, and the default is level 3.",
            "level 3",
            "What is the default motion sensitivity level?",
            "Out of the box, how sensitive is the motion detector set?",
        ),
        _f(
            "",
            "5 levels",
            "How many sensitivity levels does the Motion Sensor have?",
            "How many steps can I choose from for the motion detector's sensitivity?",
        ),
    ),
    _p(
        "tro-06",
        "The app cannot find a new hub",
        "If the app cannot find a new hub during setup, the phone usually lacks a permission "
        "or is on the wrong network.",
        _f(
            "The app needs Bluetooth and location permission to find a new hub.",
            "Bluetooth and location",
            "Which phone permissions does the app need to find a new hub?",
            "What should I allow on my phone if setup can't see the hub?",
        ),
        _f(
            "The phone and the hub must use the same Wi-Fi network during setup.",
            "same Wi-Fi network",
            "What must the phone and the hub share during setup?",
            "What do my phone and the new hub need to be on while installing?",
        ),
        "If setup fails several times, restart the hub and try again.",
    ),
    _p(
        "tro-07",
        "Notifications do not arrive",
        "If notifications stop arriving, check the phone's settings before anything else, "
        "because the phone decides what it shows.",
        _f(
            "On Android, exclude the Northwind app from battery optimisation.",
            "battery optimisation",
            "Which Android setting can block Northwind notifications?",
            "What power-saving feature on Android should the app be excluded from?",
        ),
        _f(
            "On iPhone, make sure Focus modes allow the Northwind app.",
            "Focus modes",
            "Which iPhone feature can silence Northwind notifications?",
            "What setting on an iPhone might be hiding my home alerts?",
        ),
        _f(
            "Notifications only go to phones that have signed in within the last 90 days.",
            "90 days",
            "How recently must a phone have signed in to get notifications?",
            "My old phone stopped getting alerts; after how long without a login does that happen?",
        ),
    ),
    _p(
        "tro-08",
        "A lost or stolen phone",
        "If your phone is lost or stolen, protect your home at once. Afterwards, change your "
        "password and your Keypad codes.",
        _f(
            "Sign out of all devices from Account > Security > Sign out everywhere.",
            "Sign out everywhere",
            "How do I sign out of all devices at once?",
            "My phone was stolen; which option logs it out of my account?",
        ),
        "This also ends access from your watch.",
        "Members of your home can still control the home from their own phones.",
    ),
    _p(
        "tro-09",
        "Contacting support",
        "Our support team can help with anything the app cannot solve. Have your order number "
        "or the serial number of your hub ready.",
        _f(
            "Support chat is open Monday to Saturday, from 8:00 to 20:00 Eastern Time.",
            "Monday to Saturday",
            "On which days is support chat open?",
            "Which days of the week can I chat with someone at Northwind?",
        ),
        _f(
            "",
            "8:00 to 20:00 Eastern Time",
            "What are the hours of support chat?",
            "At what times of day can I reach Northwind by chat?",
        ),
        _f(
            "Emails to support are answered within 2 business days.",
            "2 business days",
            "How quickly are support emails answered?",
            "If I write to Northwind, how long until I hear back?",
        ),
    ),
    _p(
        "tro-10",
        "A camera is offline",
        "A camera that shows as offline has usually lost its Wi-Fi connection or run out of "
        "battery.",
        _f(
            "Restart a camera by holding its power button for 8 seconds.",
            "8 seconds",
            "How long do I hold the power button to restart a camera?",
            "How do I reboot a camera that has frozen? How long do I press the button?",
        ),
        _f(
            "An Outdoor Camera should be no more than 10 metres from the router.",
            "10 metres",
            "How far from the router can an Outdoor Camera be?",
            "What is the maximum distance between my Wi-Fi box and the garden camera?",
        ),
    ),
    _p(
        "tro-11",
        "A Smart Bulb does not respond",
        "A Smart Bulb stops responding when it loses its Thread connection or has been "
        "switched off at the wall.",
        _f(
            "To reset a Smart Bulb, switch it off and on at the wall 5 times.",
            "5 times",
            "How many times do I switch a Smart Bulb off and on to reset it?",
            "How do I reset my colour bulb with the light switch?",
        ),
        "After the reset, the bulb blinks and can be paired again.",
    ),
    # ------------------------------------------------------------------ privacy
    _p(
        "pri-01",
        "Where your data is stored",
        "Northwind stores recordings and account data in the customer's region. Camera clips "
        "are encrypted before they leave the camera. Northwind never sells customer data to "
        "anyone.",
        _f(
            "Data from North American customers is stored in Oregon.",
            "Oregon",
            "Where is the data of North American customers stored?",
            "In which state are US recordings kept?",
        ),
        _f(
            "Data from European and UK customers is stored in Frankfurt.",
            "Frankfurt",
            "Where are the recordings of EU customers stored?",
            "In which city is European video data kept?",
        ),
    ),
    _p(
        "pri-02",
        "Your data and your account",
        "You control your data, and you can get a copy of it or delete it at any time from "
        "the app.",
        _f(
            "You can download a copy of your data from Account > Privacy > Download data.",
            "Account > Privacy > Download data",
            "Where do I get a copy of everything Northwind holds about me?",
            "Which menu lets me export my personal data?",
        ),
        _f(
            "The copy is ready within 48 hours.",
            "48 hours",
            "How long until my data download is ready?",
            "After I ask for my personal data, how soon can I get it?",
        ),
        _f(
            "Deleting your account removes all data within 30 days.",
            "30 days",
            "How long does it take to remove all data after deleting an account?",
            "If I close my account, when is everything erased?",
        ),
    ),
    _p(
        "pri-03",
        "Local mode",
        "Local mode keeps everything inside your home network. In local mode, cloud video "
        "history, remote access and monitoring are turned off.",
        _f(
            "Local mode is turned on under Hub settings > Privacy.",
            "Hub settings > Privacy",
            "Where do I switch on local mode?",
            "Where is the setting to keep all my data inside the house?",
        ),
        "Switching local mode off again brings the cloud features back within a few minutes.",
    ),
)

# Plausible questions about Northwind whose answer is in no passage.
UNANSWERABLE_QUESTIONS = (
    "What is the phone number for Northwind customer support?",
    "In what year was Northwind founded?",
    "Who is the chief executive of Northwind?",
    "How much does the Hub 2 weigh?",
    "What are the dimensions of the Hub Mini?",
    "What is the price of the Outdoor Camera?",
    "How many colours is the Hub Mini available in?",
    "Which company makes the Zigbee chip inside the Hub 2?",
    "Where is Northwind's head office?",
    "How many people work at Northwind?",
    "What is the rated lifetime of the Smart Bulb in hours?",
    "What is the maximum load a Smart Plug can switch?",
    "When will Northwind release a Hub 3?",
    "How much does the Keypad cost?",
    "What frame rate does the Outdoor Camera record at?",
    "Which firmware version added night mode for the status light?",
    "Which Bluetooth version does the Hub 2 use?",
    "What is the name of Northwind's referral programme?",
    "How much does a replacement USB-C cable cost?",
    "How much storage does the Indoor Camera have for local recordings?",
    "What colours does the Smart Plug come in?",
    "How many Keypads can be added to one home?",
    "Which carrier delivers Northwind orders in Canada?",
    "How much does the wall mount for the Hub Mini cost?",
    "How loud is the beep of the Keypad?",
    "How long does the Outdoor Camera take to charge fully?",
    "Which insurance companies give discounts to Pro subscribers?",
    "When does Northwind's Black Friday sale start?",
    "Which encryption standard protects camera clips?",
    "What humidity range can the Hub 2 operate in?",
    "How much does the Leak Sensor cost?",
    "What fee does Northwind charge to transfer a plan to another account?",
    "Which processor is inside the Hub 2?",
    "What is the operating temperature range of the Door Sensor?",
    "What is the name of Northwind's online community forum?",
    "Where is Northwind's warehouse in Canada?",
    "How much is the Plus plan in euros?",
    "What does express delivery cost in Canada?",
    "Which firmware version does the first-generation hub run?",
    "At what height should the Motion Sensor be mounted?",
    "How many minutes of video can the Outdoor Camera record on one charge?",
    "How much does a spare magnet for the Door Sensor cost?",
    "Which version of Matter does the Hub 2 support?",
    "How long does the battery of the Indoor Siren take to recharge?",
    "How far can the Outdoor Camera see at night?",
    "What does the Starter Kit cost in the UK?",
    "How long do physical gift cards take to arrive by post?",
    "What is the IP rating of the Indoor Camera?",
    "In how many languages is support chat offered?",
    "How much RAM does the Hub Mini have?",
)

LONG_PASSAGES = tuple(p.id for p in _CORPUS if p.long)


# --------------------------------------------------------------------------- checks

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = set(string.punctuation)


def normalise_answer(text: str) -> str:
    """``text`` as SQuAD compares answers: lower case, no punctuation, no articles, single
    spaces.

    >>> normalise_answer("The Hub settings > Light!")
    'hub settings light'
    """
    text = "".join(ch for ch in text.lower() if ch not in _PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


def _contains(text: str, answer: str) -> bool:
    """Whether normalised ``answer`` occurs in normalised ``text`` as whole words."""
    return f" {normalise_answer(answer)} " in f" {normalise_answer(text)} "


def fact_table() -> list[tuple[str, str, str, Fact]]:
    """Every fact with a question: ``(fact id, passage id, stating sentence, fact)``.

    The fact id is ``<passage id>/<n>``, ``n`` counting the passage's facts from 1; the
    stating sentence is the fact's own, or the one before it when its own is empty.
    """
    table: list[tuple[str, str, str, Fact]] = []
    for passage in _CORPUS:
        stating, n = "", 0
        for sentence in passage.sentences:
            if isinstance(sentence, str):
                stating = sentence
                continue
            stating = sentence.sentence or stating
            n += 1
            table.append((f"{passage.id}/{n}", passage.id, stating, sentence))
    return table


def _check_corpus() -> None:
    """Raise :class:`ValueError` unless the corpus and questions keep the module's rules."""
    ids = [p.id for p in _CORPUS]
    if len(set(ids)) != len(ids):
        raise ValueError(f"duplicate passage ids: {sorted(i for i in ids if ids.count(i) > 1)}")
    for passage in _CORPUS:
        words = len(passage.text.split())
        low, high = (_LONG_MIN, 10_000) if passage.long else _WORDS
        if not low <= words <= high:
            raise ValueError(f"passage {passage.id} has {words} words, not {low}-{high}")
    questions: list[str] = list(UNANSWERABLE_QUESTIONS)
    passages = {p.id: p.text for p in _CORPUS}
    for fact_id, passage_id, stating, fact in fact_table():
        n_words = len(fact.answer.split())
        if not _ANSWER_WORDS[0] <= n_words <= _ANSWER_WORDS[1]:
            raise ValueError(f"{fact_id}: answer {fact.answer!r} has {n_words} words")
        if not fact.questions:
            raise ValueError(f"{fact_id}: no question")
        if not (_contains(stating, fact.answer) and _contains(passages[passage_id], fact.answer)):
            raise ValueError(f"{fact_id}: answer {fact.answer!r} is not in {stating!r}")
        for question in fact.questions:
            if _contains(question, fact.answer):
                raise ValueError(f"{fact_id}: question {question!r} gives the answer away")
        questions += fact.questions
    for question in questions:
        if not question.endswith("?"):
            raise ValueError(f"not a question: {question!r}")
    if len(set(questions)) != len(questions):
        raise ValueError(
            f"repeated questions: {sorted(q for q in questions if questions.count(q) > 1)}"
        )


# --------------------------------------------------------------------------- data


def corpus() -> list[Row]:
    """The corpus passages, in order: ``id``, ``title`` and ``text``.

    >>> rows = corpus()
    >>> rows[0]["id"], rows[0]["title"]
    ('hub-01', 'Northwind Hub 2 overview')
    """
    _check_corpus()
    return [{"id": p.id, "title": p.title, "text": p.text} for p in _CORPUS]


def qa_questions(seed: int = 0) -> dict[str, list[Row]]:
    """The ``train`` and ``test`` questions (``question``, ``answer``, ``passage_id``).

    Sizes are :data:`QA_SIZES`. Train asks about facts drawn at random, one question each
    (a random one of the fact's wordings). Test asks about further facts, except for
    :data:`QA_REPEATS` questions that ask about a train fact in one of its other wordings.
    The unanswerable questions are split at random between train and test. Rows are
    shuffled within each split.

    >>> splits = qa_questions()
    >>> {split: len(rows) for split, rows in splits.items()}
    {'train': 160, 'test': 60}
    """
    _check_corpus()
    rng = random.Random(seed)
    facts = fact_table()
    rng.shuffle(facts)
    n_train = QA_SIZES["train"] - _UNANSWERABLE_COUNT["train"]
    n_test = QA_SIZES["test"] - _UNANSWERABLE_COUNT["test"]
    n_new = n_test - QA_REPEATS
    if n_train + n_new > len(facts):
        raise ValueError(f"{len(facts)} facts are too few for {n_train + n_new} questions")
    train_facts, test_facts = facts[:n_train], facts[n_train : n_train + n_new]

    splits: dict[str, list[Row]] = {"train": [], "test": []}
    asked: dict[str, str] = {}  # fact id -> the wording train uses
    for fact_id, passage_id, _, fact in train_facts:
        asked[fact_id] = rng.choice(fact.questions)
        splits["train"].append(_row(asked[fact_id], fact.answer, passage_id))
    for _, passage_id, _, fact in test_facts:
        splits["test"].append(_row(rng.choice(fact.questions), fact.answer, passage_id))
    repeatable = [f for f in train_facts if len(f[3].questions) > 1]
    for fact_id, passage_id, _, fact in rng.sample(repeatable, QA_REPEATS):
        other = [q for q in fact.questions if q != asked[fact_id]]
        splits["test"].append(_row(rng.choice(other), fact.answer, passage_id))

    unanswerable = list(UNANSWERABLE_QUESTIONS)
    rng.shuffle(unanswerable)
    cut = _UNANSWERABLE_COUNT["train"]
    splits["train"] += [_row(q, UNANSWERABLE, "") for q in unanswerable[:cut]]
    end = cut + _UNANSWERABLE_COUNT["test"]
    splits["test"] += [_row(q, UNANSWERABLE, "") for q in unanswerable[cut:end]]
    for rows in splits.values():
        rng.shuffle(rows)
    return splits


def _row(question: str, answer: str, passage_id: str) -> Row:
    return {"question": question, "answer": answer, "passage_id": passage_id}


# --------------------------------------------------------------------------- files


def _write(path: Path, fields: tuple[str, ...], rows: list[Row]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(fields))
        writer.writeheader()
        writer.writerows(rows)


def write_demo_qa(root: Path, seed: int = 0) -> dict[str, Path]:
    """Write the ``qa`` demo CSVs under ``root/qa/``: ``corpus.csv``, ``train.csv`` and
    ``test.csv``. Returns the written paths, keyed ``corpus``, ``train`` and ``test``."""
    folder = Path(root) / "qa"
    written = {"corpus": folder / "corpus.csv"}
    _write(written["corpus"], _FIELDS["corpus"], corpus())
    for split, rows in qa_questions(seed).items():
        written[split] = folder / f"{split}.csv"
        _write(written[split], _FIELDS["questions"], rows)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m taskfit.data.demo_qa",
        description="Write the QA demo corpus and questions under OUTDIR/qa.",
    )
    parser.add_argument("outdir", type=Path, help="e.g. src/taskfit/data/demo")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    for path in write_demo_qa(args.outdir, seed=args.seed).values():
        print(path)


if __name__ == "__main__":
    main()
