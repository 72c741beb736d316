"""Names well-known companies go by in Chinese and English that no rule derives (腾讯 ↔ Tencent, 美的 ↔ Midea,
中国银行 ↔ Bank of China, 宁德时代 ↔ CATL): a seed list of aliases every org starts with. Teams add their own
with `别名 X = Y`. Each line is one company; its names are separated by '|'."""

from functools import lru_cache

KNOWN_COMPANIES = """
腾讯|Tencent|腾讯控股|Tencent Holdings
阿里巴巴|Alibaba|Alibaba Group|阿里
百度|Baidu
京东|JD.com|京东集团|JD
字节跳动|ByteDance
美团|Meituan
拼多多|Pinduoduo|PDD Holdings
网易|NetEase
小米|Xiaomi
华为|Huawei
联想|Lenovo|联想集团
中兴通讯|ZTE|中兴
美的|Midea|美的集团|Midea Group
格力|Gree|格力电器|Gree Electric
海尔|Haier|海尔智家|Haier Smart Home
海信|Hisense
TCL|TCL科技
比亚迪|BYD
吉利|Geely|吉利汽车|Geely Automobile|浙江吉利控股
长城汽车|Great Wall Motor|Great Wall Motors
蔚来|NIO
小鹏汽车|XPeng|小鹏
理想汽车|Li Auto|理想
上汽集团|SAIC Motor|SAIC|上海汽车集团
一汽|FAW|中国第一汽车集团|FAW Group
东风汽车|Dongfeng Motor|东风
广汽集团|GAC|广州汽车集团|GAC Group
长安汽车|Changan Automobile|Changan
宁德时代|CATL|Contemporary Amperex Technology
京东方|BOE|BOE Technology
中芯国际|SMIC|Semiconductor Manufacturing International
立讯精密|Luxshare|Luxshare Precision
歌尔|Goertek|歌尔股份
舜宇光学|Sunny Optical
海康威视|Hikvision
大华|Dahua|大华股份|Dahua Technology
大疆|DJI|大疆创新
科大讯飞|iFlytek|iFLYTEK
金山软件|Kingsoft
用友|Yonyou|用友网络
金蝶|Kingdee
浪潮|Inspur
中科曙光|Sugon
顺丰|SF Express|顺丰速运|SF Holding
中通快递|ZTO Express|ZTO
携程|Trip.com|Trip.com Group|Ctrip
滴滴|DiDi|Didi Chuxing
快手|Kuaishou
哔哩哔哩|Bilibili|B站
爱奇艺|iQIYI
微博|Weibo
蚂蚁集团|Ant Group|蚂蚁金服|Ant Financial
传音控股|Transsion|Transsion Holdings|传音
OPPO|欧珀
vivo|维沃|维沃移动通信
一加|OnePlus
安踏|Anta|Anta Sports
李宁|Li Ning
农夫山泉|Nongfu Spring
伊利|Yili|伊利股份
蒙牛|Mengniu|Mengniu Dairy
青岛啤酒|Tsingtao|Tsingtao Brewery
贵州茅台|Kweichow Moutai|茅台|Moutai
五粮液|Wuliangye
海天味业|Haitian|Foshan Haitian
三一重工|SANY|SANY Heavy Industry|三一
中联重科|Zoomlion
徐工|XCMG|徐工集团
潍柴动力|Weichai Power|Weichai
中国中车|CRRC
隆基|LONGi|隆基绿能|LONGi Green Energy
通威|Tongwei
阳光电源|Sungrow
万科|Vanke|China Vanke
碧桂园|Country Garden
恒大|Evergrande|China Evergrande
万达|Wanda|Dalian Wanda
华润|China Resources
招商局|China Merchants Group
中信|CITIC|中信集团
复星|Fosun|复星国际
药明康德|WuXi AppTec
恒瑞医药|Hengrui|Jiangsu Hengrui
迈瑞医疗|Mindray|迈瑞
国药集团|Sinopharm
中国石化|Sinopec|中国石油化工
中国石油|PetroChina|中国石油天然气|CNPC
中国海油|CNOOC|中国海洋石油
国家电网|State Grid|State Grid Corporation of China
南方电网|China Southern Power Grid
中国移动|China Mobile
中国联通|China Unicom
中国电信|China Telecom
中国铁塔|China Tower
中国银行|Bank of China|BOC|中行
中国工商银行|ICBC|Industrial and Commercial Bank of China|工商银行|工行
中国建设银行|China Construction Bank|CCB|建设银行|建行
中国农业银行|Agricultural Bank of China|ABC|农业银行|农行
交通银行|Bank of Communications|BoCom|交行
招商银行|China Merchants Bank|CMB|招行
中信银行|China CITIC Bank
浦发银行|SPD Bank|上海浦东发展银行|Shanghai Pudong Development Bank
兴业银行|Industrial Bank
民生银行|China Minsheng Bank|中国民生银行
平安银行|Ping An Bank
中国平安|Ping An|Ping An Insurance|平安保险|中国平安保险
中国人寿|China Life|China Life Insurance
中国太保|CPIC|中国太平洋保险|China Pacific Insurance
中金公司|CICC|中国国际金融
中信证券|CITIC Securities
中国国航|Air China
东方航空|China Eastern Airlines|东航
南方航空|China Southern Airlines|南航
中远海运|COSCO Shipping|COSCO
宝武钢铁|China Baowu|中国宝武
中国建筑|China State Construction|CSCEC|中建
中国中铁|China Railway Group|CREC
中国铁建|China Railway Construction|CRCC
中国交建|China Communications Construction|CCCC
苹果|Apple|Apple Inc
微软|Microsoft
谷歌|Google|Alphabet
亚马逊|Amazon
脸书|Facebook|Meta|Meta Platforms
甲骨文|Oracle
思科|Cisco|Cisco Systems
英特尔|Intel
英伟达|NVIDIA
超威半导体|AMD|Advanced Micro Devices
高通|Qualcomm
德州仪器|Texas Instruments|TI
IBM|国际商业机器|International Business Machines
惠普|HP|HP Inc
慧与|Hewlett Packard Enterprise|HPE
戴尔|Dell|Dell Technologies
思爱普|SAP
赛富时|Salesforce
埃森哲|Accenture
德勤|Deloitte
普华永道|PwC|PricewaterhouseCoopers
安永|EY|Ernst & Young
毕马威|KPMG
麦肯锡|McKinsey|McKinsey & Company
西门子|Siemens
博世|Bosch|Robert Bosch
巴斯夫|BASF
拜耳|Bayer
大众汽车|Volkswagen|VW|大众
宝马|BMW|Bayerische Motoren Werke
奔驰|Mercedes-Benz|梅赛德斯-奔驰|Daimler|戴姆勒
奥迪|Audi
丰田|Toyota|丰田汽车
本田|Honda
日产|Nissan
索尼|Sony
松下|Panasonic
佳能|Canon
东芝|Toshiba
日立|Hitachi
三星|Samsung|三星电子|Samsung Electronics
LG|LG电子|LG Electronics
现代汽车|Hyundai|Hyundai Motor
特斯拉|Tesla
通用汽车|General Motors|GM
福特|Ford|Ford Motor
通用电气|General Electric|GE
霍尼韦尔|Honeywell
3M|明尼苏达矿务及制造业
宝洁|Procter & Gamble|P&G
联合利华|Unilever
雀巢|Nestle
可口可乐|Coca-Cola|The Coca-Cola Company
百事|PepsiCo|百事可乐|Pepsi
星巴克|Starbucks
麦当劳|McDonald's
肯德基|KFC
百胜中国|Yum China
耐克|Nike
阿迪达斯|Adidas
欧莱雅|L'Oreal
路易威登|Louis Vuitton|LVMH
壳牌|Shell|Royal Dutch Shell
英国石油|BP
埃克森美孚|ExxonMobil|Exxon Mobil
辉瑞|Pfizer
强生|Johnson & Johnson|J&J
罗氏|Roche
诺华|Novartis
阿斯利康|AstraZeneca
默沙东|MSD|Merck Sharp & Dohme
飞利浦|Philips
施耐德电气|Schneider Electric|施耐德
ABB|ABB集团
爱立信|Ericsson
诺基亚|Nokia
汇丰|HSBC|汇丰银行
渣打|Standard Chartered|渣打银行
花旗|Citi|Citigroup|花旗银行
摩根大通|JPMorgan Chase|JPMorgan
高盛|Goldman Sachs
桑坦德|Santander|Banco Santander
""".strip()


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    return frozenset(n.strip().lower() for line in KNOWN_COMPANIES.splitlines() for n in line.split("|") if n.strip())


def is_known_company(name: str) -> bool:
    """美团 / Meituan alone is a sure customer name, with no legal form to say so."""
    return name.strip().lower() in _known()
